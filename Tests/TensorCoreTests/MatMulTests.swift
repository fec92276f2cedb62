import TensorCore
import TestSupport
import XCTest

final class MatMulTests: XCTestCase {
    func testValues() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(Tensor.matmul(a, b).scalars, [58, 64, 139, 154])
        XCTAssertEqual(Tensor.matmul(a, a, transposeB: true).scalars, [14, 32, 32, 77])
        XCTAssertEqual(Tensor.matmul(a, a, transposeA: true).shape, [3, 3])
    }

    func testGradientsForEveryTransposeCombination() {
        let a = GradientCheck.sample([3, 4], seed: 41), b = GradientCheck.sample([4, 5], seed: 42)
        let at = GradientCheck.sample([4, 3], seed: 43), bt = GradientCheck.sample([5, 4], seed: 44)
        assertGradients([a, b]) { Tensor.matmul($0[0], $0[1]) }
        assertGradients([at, b]) { Tensor.matmul($0[0], $0[1], transposeA: true) }
        assertGradients([a, bt]) { Tensor.matmul($0[0], $0[1], transposeB: true) }
        assertGradients([at, bt]) { Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true) }
    }

    /// Products big enough to be split (by rows and by columns) give what one sgemm call gives.
    func testSplitAcrossWorkersMatchesOneCall() {
        var stream = RandomStream(seed: 45, name: "matmul-split")
        for (m, n, k) in [(300, 129, 200), (70, 700, 150)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = stream.normals(m * k), b = stream.normals(k * n)
                var whole = [Float](repeating: 0, count: m * n), split = whole
                GEMM.multiply(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: &whole)
                GEMM.multiplyAcrossWorkers(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: &split)
                let worst = zip(whole, split).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, 1e-4, "m \(m) n \(n) k \(k) transposes \(transposeA) \(transposeB)")
            }
        }
    }

    /// A single row or column of C (the sgemv path) equals the naive sum for every transpose, with padded
    /// leading dimensions, α, β and a C that held NaN before a β = 0 product.
    func testVectorProductsMatchTheNaiveSum() {
        var stream = RandomStream(seed: 46, name: "matmul-vector")
        for (m, n, k) in [(1, 37, 23), (29, 1, 31), (1, 1, 17)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let (lda, ldb, ldc) = ((transposeA ? m : k) + 3, (transposeB ? k : n) + 2, n + 4)
                let a = stream.normals((transposeA ? k : m) * lda), b = stream.normals((transposeB ? n : k) * ldb)
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2)] {
                    let before = stream.normals(m * ldc)
                    var c = beta == 0 ? [Float](repeating: .nan, count: m * ldc) : before
                    GEMM.multiply(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transposeA: transposeA,
                                  b: b, ldb: ldb, transposeB: transposeB, beta: beta, c: &c, ldc: ldc)
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum: Float = 0
                            for p in 0..<k {
                                sum += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j])
                            }
                            let expected = alpha * sum + (beta == 0 ? 0 : beta * before[i * ldc + j])
                            XCTAssertEqual(c[i * ldc + j], expected, accuracy: 1e-4,
                                           "m \(m) n \(n) k \(k) transposes \(transposeA) \(transposeB) α \(alpha) β \(beta)")
                        }
                    }
                }
            }
        }
    }
}
