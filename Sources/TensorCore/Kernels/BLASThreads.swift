import COpenBLAS

/// Who runs BLAS on which threads. TensorCore splits its own work (convolution chunks, blocks of a matrix
/// product) over `Parallel.workerCount` workers and calls sgemm single-threaded inside them, so OpenBLAS's
/// thread pool stays asleep. Left multi-threaded, OpenBLAS wakes its pool for every large enough product
/// and lets it spin in sched_yield for ~2²⁸ cycles afterwards, competing with our workers for the cores:
/// a DCGAN step spent 15% of its CPU time in that spin.
public enum BLASThreads {
    /// OpenBLAS made single-threaded, once per process.
    @usableFromInline static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// Called before every BLAS call of AugBench (TensorCore's sgemm, the metrics' Float64 routines): OpenBLAS
    /// never splits a product itself, so no result depends on the core count.
    @inlinable
    public static func ensureSingleThreaded() { singleThreaded }
}
