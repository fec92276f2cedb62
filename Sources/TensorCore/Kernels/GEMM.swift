import COpenBLAS

/// Single-precision matrix products on OpenBLAS (row-major).
public enum GEMM {
    /// C[m×n] = α·op(A)·op(B) + β·C, where op(A) is m×k and op(B) is k×n; A, B and C are row-major
    /// with leading dimensions `lda`, `ldb`, `ldc`.
    @inlinable
    public static func multiply(m: Int, n: Int, k: Int, alpha: Float = 1,
                                a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                                b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
                                beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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
}
