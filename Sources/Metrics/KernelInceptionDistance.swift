import COpenBLAS
import Foundation
import TensorCore

/// KID (Bińkowski et al., 2018) as torch-fidelity computes it: for each of `subsets` random subsets of
/// `subsetSize` rows (without replacement) from each set, the unbiased MMD² with the kernel
/// k(x, y) = (x·y/d + 1)³; reported as the mean and population standard deviation over subsets.
public enum KernelInceptionDistance {
    public static func distance(_ a: FeatureSet, _ b: FeatureSet, subsets: Int = 100, subsetSize: Int = 1000,
                                seed: UInt64 = 0) throws -> (mean: Double, std: Double) {
        guard a.dimension == b.dimension else { throw MetricError("feature dimensions differ: \(a.dimension) and \(b.dimension)") }
        let m = min(subsetSize, a.count, b.count)
        guard m >= 2, subsets >= 1 else { throw MetricError("KID needs subsets of at least 2 rows (have \(a.count) and \(b.count))") }
        var stream = RandomStream(seed: seed, name: "kid")
        let chosen = (0..<subsets).map { _ in
            (m == a.count ? Array(0..<m) : choose(m, of: a.count, stream: &stream),
             m == b.count ? Array(0..<m) : choose(m, of: b.count, stream: &stream))
        }
        // One subset per task on the workers, each product single-threaded: the values do not depend on the core count.
        var values = [Double](repeating: 0, count: subsets)
        values.withUnsafeMutableBufferPointer { values in
            Parallel.forEach(subsets, work: m * m * a.dimension) { subset in
                values[subset] = unbiasedMMD2(rows(a, chosen[subset].0), rows(b, chosen[subset].1), count: m, dimension: a.dimension)
            }
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    static func choose(_ m: Int, of n: Int, stream: inout RandomStream) -> [Int] {
        var pool = Array(0..<n)
        for i in 0..<m { pool.swapAt(i, stream.integer(in: i...(n - 1))) }
        return Array(pool.prefix(m))
    }

    static func rows(_ set: FeatureSet, _ indices: [Int]) -> [Double] {
        indices.flatMap { row in set.features[(row * set.dimension)..<((row + 1) * set.dimension)].map(Double.init) }
    }

    /// (Σ_{i≠j} k(xᵢ,xⱼ) + Σ_{i≠j} k(yᵢ,yⱼ)) / (m(m − 1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / m².
    static func unbiasedMMD2(_ x: [Double], _ y: [Double], count m: Int, dimension d: Int) -> Double {
        func kernelSum(_ p: [Double], _ q: [Double], skipDiagonal: Bool) -> Double {
            var gram = [Double](repeating: 0, count: m * m)
            BLASThreads.ensureSingleThreaded()
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(m), Int32(d), 1 / Double(d), p, Int32(d), q, Int32(d),
                        0, &gram, Int32(m))
            var total = 0.0
            for i in 0..<m { for j in 0..<m where !(skipDiagonal && i == j) { let v = gram[i * m + j] + 1; total += v * v * v } }
            return total
        }
        let mm = Double(m)
        return (kernelSum(x, x, skipDiagonal: true) + kernelSum(y, y, skipDiagonal: true)) / (mm * (mm - 1))
            - 2 * kernelSum(x, y, skipDiagonal: false) / (mm * mm)
    }
}
