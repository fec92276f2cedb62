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
}
