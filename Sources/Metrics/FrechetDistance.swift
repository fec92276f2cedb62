import Foundation

/// Gaussian statistics (μ, Σ) of a feature set, in Float64.
public struct GaussianStatistics: Sendable {
    public let mean: [Double]
    public let covariance: [Double]
    public let dimension: Int
    public let count: Int

    public init(mean: [Double], covariance: [Double], dimension: Int, count: Int) {
        self.mean = mean
        self.covariance = covariance
        self.dimension = dimension
        self.count = count
    }

    public init(features: [Float], count: Int, dimension: Int) {
        let (mean, covariance) = LinearAlgebra.meanAndCovariance(features, count: count, dimension: dimension)
        self.init(mean: mean, covariance: covariance, dimension: dimension, count: count)
    }
}

/// FID = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½) (Heusel et al., 2017), in Float64.
/// Tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ for the eigenvalues λ of a symmetric matrix similar to Σ₁Σ₂, from LAPACK dsyevd
/// (values only); negative eigenvalues from rounding are clamped to 0. When Σ₁ is positive definite,
/// Σ₁ = UᵀU (Cholesky) and the matrix is UΣ₂Uᵀ; otherwise Σ₁ = V D² Vᵀ and it is D(VᵀΣ₂V)D, whose
/// eigenvalues are those of √Σ₁ Σ₂ √Σ₁ = V (D VᵀΣ₂V D) Vᵀ.
public enum FrechetDistance {
    public static func distance(_ a: GaussianStatistics, _ b: GaussianStatistics) throws -> Double {
        guard a.dimension == b.dimension else {
            throw MetricError("feature dimensions differ: \(a.dimension) and \(b.dimension)")
        }
        let d = a.dimension
        let meanTerm = zip(a.mean, b.mean).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let traces = (0..<d).reduce(0.0) { $0 + a.covariance[$1 * d + $1] + b.covariance[$1 * d + $1] }
        return meanTerm + traces - 2 * (try traceOfSquareRootProduct(a.covariance, b.covariance, dimension: d))
    }

    /// Tr((Σ₁Σ₂)^½): the Cholesky route when it applies, else the eigenvector route.
    public static func traceOfSquareRootProduct(_ sigma1: [Double], _ sigma2: [Double], dimension d: Int) throws -> Double {
        if let similar = LinearAlgebra.choleskyCongruence(sigma1, sigma2, dimension: d) {
            return try LinearAlgebra.symmetricEigen(similar, dimension: d, vectors: false).values.reduce(0.0) { $0 + max($1, 0).squareRoot() }
        }
        return try eigenvectorRoute(sigma1, sigma2, dimension: d)
    }

    /// Tr((Σ₁Σ₂)^½) through the eigenvalues of D (VᵀΣ₂V) D, for any positive semi-definite Σ₁.
    public static func eigenvectorRoute(_ sigma1: [Double], _ sigma2: [Double], dimension d: Int) throws -> Double {
        let (values, vectors) = try LinearAlgebra.symmetricEigen(sigma1, dimension: d, vectors: true)
        let roots = values.map { max($0, 0).squareRoot() }
        var product = LinearAlgebra.multiply(LinearAlgebra.multiply(vectors, sigma2, dimension: d, transposeA: true), vectors, dimension: d)
        for i in 0..<d { for j in 0..<d { product[i * d + j] *= roots[i] * roots[j] } }
        for i in 0..<d { for j in 0..<i { let m = (product[i * d + j] + product[j * d + i]) / 2; product[i * d + j] = m; product[j * d + i] = m } }
        let eigenvalues = try LinearAlgebra.symmetricEigen(product, dimension: d, vectors: false).values
        return eigenvalues.reduce(0.0) { $0 + max($1, 0).squareRoot() }
    }
}
