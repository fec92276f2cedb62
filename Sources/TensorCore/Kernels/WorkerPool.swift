import Dispatch
import Foundation
import Synchronization

/// The threads that run `Parallel`'s shares of a kernel: the calling thread takes share 0 and `threads − 1`
/// workers the others. After a job a worker keeps polling for the next one for `spinNanoseconds` before it
/// sleeps, because a training step is a chain of kernels a fraction of a millisecond apart: a worker parked
/// between them (as libdispatch's are) started a layer's chunks up to 0.8 ms late in one call of ten, on a
/// virtual machine whose idle CPUs halt (measured 2026-12-02, Intel Xeon), leaving the calling thread to do
/// most of the work alone. Which thread runs a share never changes a result: every caller's shares write
/// disjoint outputs or keep a fixed grouping (`ConvolutionKernels.forEachChunk`).
@usableFromInline
package final class WorkerPool: @unchecked Sendable {
    /// How long an idle worker polls before it sleeps (libgomp's default spin is of the same order).
    package static let spinNanoseconds: UInt64 = 1_000_000

    package let threads: Int
    /// Bumped once per job; a worker runs a job when it sees a value it has not run.
    private let generation = Atomic<Int>(0)
    /// Workers still running the current job.
    private let running = Atomic<Int>(0)
    /// Held by the caller whose job the workers run; another caller (a nested or concurrent one) runs inline.
    private let busy = Atomic<Bool>(false)
    /// Per thread (index 0, the caller's, unused): where its worker sleeps.
    private let slots: [Slot]
    /// The current job, written before `generation` is bumped and read after it is seen.
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    private nonisolated(unsafe) var shares = 0

    package init(threads: Int) {
        self.threads = threads
        slots = (0..<threads).map { _ in Slot() }
        for worker in 1..<max(1, threads) {
            let thread = Thread { [unowned self] in self.serve(worker) }
            thread.name = "augbench-worker-\(worker)"
            thread.start()
        }
    }

    /// Calls `body(i)` once for every i in 0..<count, spread over the threads (i on thread i mod `threads`),
    /// and returns when all have returned. Runs every share on the calling thread when the workers are
    /// already running another caller's job (a call from inside a share, or from a second thread).
    @usableFromInline
    package func perform(_ count: Int, _ body: (Int) -> Void) {
        guard threads > 1, count > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for index in 0..<count { body(index) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            shares = count
            running.store(threads - 1, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            for worker in 1..<threads where slots[worker].sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                slots[worker].wakeUp.signal()
            }
            runShares(of: 0)
            while running.load(ordering: .acquiring) > 0 {}
            job = nil
        }
    }

    /// Shares `thread`, `thread + threads`, … of the current job. Not inlined, so that a worker's reference
    /// to the job is released before it reports the job done (the caller then clears the job, which
    /// `withoutActuallyEscaping` checks nobody else holds).
    @inline(never)
    private func runShares(of thread: Int) {
        let body = job.unsafelyUnwrapped
        for index in stride(from: thread, to: shares, by: threads) { body(index) }
    }

    /// A worker's loop: poll for a new generation, sleep when none comes within the spin time, run its shares.
    private func serve(_ worker: Int) {
        var seen = 0
        while true {
            seen = awaitGeneration(after: seen, worker: worker)
            runShares(of: worker)
            running.subtract(1, ordering: .releasing)
        }
    }

    private func awaitGeneration(after seen: Int, worker: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            polls += 1
            guard polls % 256 == 0, DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds else { continue }
            // Announce the sleep, then look once more: a caller that bumped the generation before seeing the
            // flag has not signalled, one that saw it has (at worst one extra wake-up, which loops back here).
            let slot = slots[worker]
            slot.sleeping.store(true, ordering: .sequentiallyConsistent)
            if generation.load(ordering: .sequentiallyConsistent) == seen { slot.wakeUp.wait() }
            slot.sleeping.store(false, ordering: .sequentiallyConsistent)
        }
    }

    /// A worker's sleeping place: a flag it raises before sleeping and the semaphore it sleeps on.
    private final class Slot: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wakeUp = DispatchSemaphore(value: 0)
    }
}
