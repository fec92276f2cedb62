import Dispatch
import Foundation

/// Splitting of CPU work that our own kernels do (im2col, col2im, elementwise); GEMM threads
/// belong to OpenBLAS and never overlap with these loops.
public enum Parallel {
    /// Worker count: the cores this process may use.
    public static let workerCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(i)` for every i in 0..<count, spread over the workers in contiguous chunks.
    /// Runs inline when `count` is small or `work` (scalar operations in all) is too little to share.
    @inlinable
    public static func forEach(_ count: Int, work: Int = .max, _ body: (Int) -> Void) {
        let workers = min(workerCount, count)
        guard workers > 1, work >= 32_768 else {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = count * worker / workers
                let end = count * (worker + 1) / workers
                for index in start..<end { body(index) }
            }
        }
    }

    /// Calls `body(range)` on disjoint ranges covering 0..<count (for flat elementwise loops).
    @inlinable
    public static func forRanges(_ count: Int, minimumChunk: Int = 65_536, _ body: (Range<Int>) -> Void) {
        let workers = min(workerCount, max(1, count / minimumChunk))
        guard workers > 1 else { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                body((count * worker / workers)..<(count * (worker + 1) / workers))
            }
        }
    }
}
