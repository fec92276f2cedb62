import Foundation
import TensorCore
import XCTest

/// The pool behind `Parallel`: every share runs exactly once, also when a share calls the pool again, when
/// two threads call it at once, and after its workers have gone to sleep.
final class WorkerPoolTests: XCTestCase {
    /// Runs `body` with a zeroed counter per index and returns the counters.
    private func counts(_ n: Int, _ body: (UnsafeMutablePointer<Int>) -> Void) -> [Int] {
        let counter = UnsafeMutablePointer<Int>.allocate(capacity: n)
        counter.initialize(repeating: 0, count: n)
        defer { counter.deallocate() }
        body(counter)
        return Array(UnsafeBufferPointer(start: counter, count: n))
    }

    func testEveryShareRunsOnceForAnyCountAndThreads() {
        for threads in [1, 2, 3] {
            let pool = WorkerPool(threads: threads)
            for count in [0, 1, 2, 3, 5, 17] {
                let seen = counts(count) { counter in pool.perform(count) { counter[$0] += 1 } }
                XCTAssertEqual(seen, Array(repeating: 1, count: count), "threads \(threads), count \(count)")
            }
        }
    }

    func testSharesRunOnTheWorkersAsWellAsTheCaller() {
        let pool = WorkerPool(threads: 2)
        let caller = Thread.current
        let names = UnsafeMutablePointer<Bool>.allocate(capacity: 2)
        defer { names.deallocate() }
        pool.perform(2) { names[$0] = Thread.current == caller }
        XCTAssertTrue(names[0], "share 0 runs on the calling thread")
        XCTAssertFalse(names[1], "share 1 runs on a worker")
    }

    func testNestedCallRunsInline() {
        let pool = WorkerPool(threads: 2)
        let seen = counts(4 * 3) { counter in
            pool.perform(4) { outer in pool.perform(3) { inner in counter[outer * 3 + inner] += 1 } }
        }
        XCTAssertEqual(seen, Array(repeating: 1, count: 12))
    }

    func testConcurrentCallersAndSleepingWorkers() {
        let pool = WorkerPool(threads: 2)
        let rounds = 200
        let seen = counts(2 * rounds * 4) { counter in
            DispatchQueue.concurrentPerform(iterations: 2) { caller in
                for round in 0..<rounds {
                    // Every 50th round waits past the workers' spin, so they sleep and must be woken.
                    if round % 50 == 0 { usleep(UInt32(WorkerPool.spinNanoseconds / 1000) * 3) }
                    pool.perform(4) { counter[(caller * rounds + round) * 4 + $0] += 1 }
                }
            }
        }
        XCTAssertEqual(seen, Array(repeating: 1, count: 2 * rounds * 4))
    }
}
