import COpenBLAS

/// Who runs BLAS on which threads. TensorCore splits its own work (convolution chunks, blocks of a matrix
/// product) over `Parallel.workerCount` workers and calls sgemm single-threaded inside them, so OpenBLAS's
/// thread pool stays asleep. Left multi-threaded, OpenBLAS wakes its pool for every large enough product
/// and lets it spin in sched_yield for ~2²⁸ cycles afterwards, competing with our workers for the cores:
/// a DCGAN step spent 15% of its CPU time in that spin.
public enum BLASThreads {
    /// OpenBLAS made single-threaded, once per process.
    private static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// Called before every sgemm of TensorCore.
    @usableFromInline
    static func ensureSingleThreaded() { singleThreaded }

    /// Runs `body` with OpenBLAS on every worker, for LAPACK and Float64 BLAS calls that nothing else splits
    /// (the metrics' covariances and eigensolvers); OpenBLAS is single-threaded again afterwards.
    public static func withAllCores<Result>(_ body: () throws -> Result) rethrows -> Result {
        ensureSingleThreaded()
        openblas_set_num_threads(Int32(Parallel.workerCount))
        defer { openblas_set_num_threads(1) }
        return try body()
    }
}
