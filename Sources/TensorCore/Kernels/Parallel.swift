import CProcess
import Foundation

/// Splitting of CPU work that our own kernels do (im2col, col2im, elementwise); GEMM threads
/// belong to OpenBLAS and never overlap with these loops.
public enum Parallel {
    /// Worker count: `AUGBENCH_THREADS` when set, else the cores this process may run on (its CPU affinity,
    /// so `taskset` and `run --jobs` give each process its share). Results do not depend on it.
    public static let workerCount: Int = {
        if let text = ProcessInfo.processInfo.environment["AUGBENCH_THREADS"], let count = Int(text), count > 0 { return count }
        return max(1, allowedCPUs().count)
    }()

    /// The threads that run the workers' shares (started on first use, so after any `pin(to:)`).
    @usableFromInline static let pool = WorkerPool(threads: workerCount)

    /// The CPUs this process may run on (all online CPUs where the affinity cannot be read).
    public static func allowedCPUs() -> [Int] {
        var mask = [UInt64](repeating: 0, count: 16)  // 1,024 CPUs
        let status = augbench_get_affinity(&mask, Int32(mask.count))
        guard status == 0 else { return Array(0..<ProcessInfo.processInfo.activeProcessorCount) }
        return (0..<(mask.count * 64)).filter { mask[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
    }

    /// Restricts this process to `cpus` (call before any worker starts: threads inherit the mask they are
    /// created with). Returns false when the kernel refuses.
    @discardableResult
    public static func pin(to cpus: [Int]) -> Bool {
        var mask = [UInt64](repeating: 0, count: 16)
        for cpu in cpus where cpu >= 0 && cpu < mask.count * 64 { mask[cpu / 64] |= 1 << UInt64(cpu % 64) }
        return augbench_set_affinity(mask, Int32(mask.count)) == 0
    }

    /// Calls `body(i)` for every i in 0..<count, spread over the workers in contiguous chunks.
    /// Runs inline when `count` is small or `work` (scalar operations in all) is too little to share.
    @inlinable
    public static func forEach(_ count: Int, work: Int = .max, _ body: (Int) -> Void) {
        let workers = min(workerCount, count)
        guard workers > 1, work >= 32_768 else {
            for index in 0..<count { body(index) }
            return
        }
        pool.perform(workers) { worker in
            let start = count * worker / workers
            let end = count * (worker + 1) / workers
            for index in start..<end { body(index) }
        }
    }

    /// Calls `body(range)` on disjoint ranges covering 0..<count (for flat elementwise loops).
    @inlinable
    public static func forRanges(_ count: Int, minimumChunk: Int = 65_536, _ body: (Range<Int>) -> Void) {
        let workers = min(workerCount, max(1, count / minimumChunk))
        guard workers > 1 else { body(0..<count); return }
        pool.perform(workers) { worker in
            body((count * worker / workers)..<(count * (worker + 1) / workers))
        }
    }
}
