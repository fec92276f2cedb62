import COpenBLAS

/// Single-precision matrix products on OpenBLAS (row-major), single-threaded (see `BLASThreads`).
public enum GEMM {
    /// C[m×n] = α·op(A)·op(B) + β·C, where op(A) is m×k and op(B) is k×n; A, B and C are row-major
    /// with leading dimensions `lda`, `ldb`, `ldc`. Runs on the calling thread.
    @inlinable
    public static func multiply(m: Int, n: Int, k: Int, alpha: Float = 1,
                                a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                                b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                                beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        BLASThreads.ensureSingleThreaded()
        if k == 0 {
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        if n == 1 || m == 1 {
            matrixVector(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transposeA: transposeA,
                         b: b, ldb: ldb, transposeB: transposeB, beta: beta, c: c, ldc: ldc)
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The product when C is a single column (n = 1: c = op(A)·b) or a single row (m = 1: cᵀ = op(B)ᵀ·aᵀ),
    /// on sgemv, which reads the matrix in place where sgemm would first pack it (spectral norm's power
    /// iteration, a linear layer with one output). With β = 0, C is zeroed first, so what it held never matters.
    @usableFromInline
    static func matrixVector(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                             b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if n == 1 {
            // c[i·ldc] = Σ_p op(A)[i, p] · op(B)[p, 0]; op(B)'s column is B's row (transposed) or column.
            if beta == 0 { for row in 0..<m { c[row * ldc] = 0 } }
            let (rows, columns) = transposeA ? (k, m) : (m, k)
            cblas_sgemv(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), alpha,
                        a, Int32(lda), b, Int32(transposeB ? 1 : ldb), beta, c, Int32(ldc))
        } else {
            // c[j] = Σ_p op(A)[0, p] · op(B)[p, j]: op(B)ᵀ times op(A)'s row.
            if beta == 0 { c.update(repeating: 0, count: n) }
            let (rows, columns) = transposeB ? (n, k) : (k, n)
            cblas_sgemv(CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, Int32(rows), Int32(columns), alpha,
                        b, Int32(ldb), a, Int32(transposeA ? lda : 1), beta, c, 1)
        }
    }

    /// Contiguous convenience: C = op(A)·op(B) with A stored as (transposeA ? k×m : m×k), B likewise.
    @inlinable
    public static func multiply(m: Int, n: Int, k: Int,
                                a: UnsafePointer<Float>, transposeA: Bool = false,
                                b: UnsafePointer<Float>, transposeB: Bool = false,
                                accumulate: Bool = false, c: UnsafeMutablePointer<Float>) {
        multiply(m: m, n: n, k: k, a: a, lda: transposeA ? m : k, transposeA: transposeA,
                 b: b, ldb: transposeB ? k : n, transposeB: transposeB,
                 beta: accumulate ? 1 : 0, c: c, ldc: n)
    }

    /// The contiguous product split into blocks of C's longer side, one single-threaded sgemm per block on
    /// the workers. The block count depends only on the shape (at most 8 blocks of ≥ 64 rows or columns,
    /// one block below 2²² multiply-adds), so the result does not depend on the core count.
    public static func multiplyAcrossWorkers(m: Int, n: Int, k: Int,
                                             a: UnsafePointer<Float>, transposeA: Bool = false,
                                             b: UnsafePointer<Float>, transposeB: Bool = false,
                                             c: UnsafeMutablePointer<Float>) {
        let splitRows = m >= n
        let blocks = m * n * k < 1 << 22 ? 1 : max(1, min(8, (splitRows ? m : n) / 64))
        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        Parallel.forEach(blocks) { block in
            if splitRows {
                let (first, end) = (m * block / blocks, m * (block + 1) / blocks)
                multiply(m: end - first, n: n, k: k, a: a + (transposeA ? first : first * k), lda: lda, transposeA: transposeA,
                         b: b, ldb: ldb, transposeB: transposeB, c: c + first * n, ldc: n)
            } else {
                let (first, end) = (n * block / blocks, n * (block + 1) / blocks)
                multiply(m: m, n: end - first, k: k, a: a, lda: lda, transposeA: transposeA,
                         b: b + (transposeB ? first * k : first), ldb: ldb, transposeB: transposeB, c: c + first, ldc: n)
            }
        }
    }
}
