import COpenBLAS
import Foundation
import TensorCore

/// Float64 statistics and the symmetric eigensolver behind FID. OpenBLAS runs single-threaded here (its
/// threaded level-2 routines split sums, so results would depend on the core count); the covariance, the one
/// large product, is split into fixed column blocks on TensorCore's workers instead.
public enum LinearAlgebra {
    /// Mean μ [D] and covariance Σ [D, D] (divisor N − 1) of rows x [N, D]: Σ = (X − μ)ᵀ(X − μ)/(N − 1),
    /// accumulated in Float64 by dgemm over column blocks fixed by D (upper triangle mirrored).
    public static func meanAndCovariance(_ x: [Float], count n: Int, dimension d: Int) -> (mean: [Double], covariance: [Double]) {
        var mean = [Double](repeating: 0, count: d)
        for row in 0..<n { for j in 0..<d { mean[j] += Double(x[row * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centered = [Double](repeating: 0, count: n * d)
        for row in 0..<n { for j in 0..<d { centered[row * d + j] = Double(x[row * d + j]) - mean[j] } }
        var covariance = [Double](repeating: 0, count: d * d)
        let blocks = d >= 256 ? 8 : 1
        BLASThreads.ensureSingleThreaded()
        centered.withUnsafeBufferPointer { x in
            covariance.withUnsafeMutableBufferPointer { c in
                Parallel.forEach(blocks) { block in
                    let (first, end) = (d * block / blocks, d * (block + 1) / blocks)
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(end - first), Int32(n), 1 / Double(n - 1),
                                x.baseAddress!, Int32(d), x.baseAddress! + first, Int32(d), 0, c.baseAddress! + first, Int32(d))
                }
            }
        }
        for i in 0..<d { for j in 0..<i { covariance[i * d + j] = covariance[j * d + i] } }  // mirror the upper triangle
        return (mean, covariance)
    }

    /// Eigenvalues (ascending) and, with `vectors`, eigenvectors (as columns of a row-major [D, D]) of a
    /// symmetric matrix, by LAPACK's divide-and-conquer dsyevd.
    public static func symmetricEigen(_ matrix: [Double], dimension d: Int, vectors: Bool) throws -> (values: [Double], vectors: [Double]) {
        var a = matrix  // column-major and row-major coincide for a symmetric matrix
        var values = [Double](repeating: 0, count: d)
        var n = Int32(d), lda = Int32(d), info: Int32 = 0
        var jobz: CChar = vectors ? 86 : 78, uplo: CChar = 85  // "V"/"N", "U"
        var workSize = 0.0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevd_(&jobz, &uplo, &n, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        BLASThreads.ensureSingleThreaded()
        dsyevd_(&jobz, &uplo, &n, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw MetricError("the eigensolver dsyevd failed (info \(info))") }
        if !vectors { return (values, []) }
        // LAPACK returns eigenvectors as columns of a column-major matrix: transpose to row-major columns.
        var rowMajor = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { rowMajor[i * d + j] = a[j * d + i] } }
        return (values, rowMajor)
    }

    /// UΣ₂Uᵀ for the Cholesky factor Σ₁ = UᵀU (U upper triangular), or nil when Σ₁ is not positive definite.
    /// UΣ₂Uᵀ is symmetric and similar to Σ₁Σ₂ = UᵀUΣ₂ (conjugate by Uᵀ).
    static func choleskyCongruence(_ sigma1: [Double], _ sigma2: [Double], dimension d: Int) -> [Double]? {
        var factor = sigma1
        var n = Int32(d), lda = Int32(d), info: Int32 = 0
        var uplo: CChar = 76  // "L" in column-major = U = Lᵀ in the upper triangle of the row-major array
        var m = sigma2
        BLASThreads.ensureSingleThreaded()
        dpotrf_(&uplo, &n, &factor, &lda, &info)
        guard info == 0 else { return nil }
        cblas_dtrmm(CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(d), Int32(d), 1, factor, Int32(d), &m, Int32(d))
        cblas_dtrmm(CblasRowMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, Int32(d), Int32(d), 1, factor, Int32(d), &m, Int32(d))
        for i in 0..<d { for j in 0..<i { let v = (m[i * d + j] + m[j * d + i]) / 2; m[i * d + j] = v; m[j * d + i] = v } }
        return m
    }

    /// C = op(A)·B for row-major [D, D] Float64 matrices (op transposes when asked).
    static func multiply(_ a: [Double], _ b: [Double], dimension d: Int, transposeA: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        BLASThreads.ensureSingleThreaded()
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d), 1, a, Int32(d),
                    b, Int32(d), 0, &c, Int32(d))
        return c
    }
}

/// A metric that cannot be computed from what it was given.
public struct MetricError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
