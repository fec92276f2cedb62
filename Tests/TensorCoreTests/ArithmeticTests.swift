import TensorCore
import TestSupport
import XCTest

final class ArithmeticTests: XCTestCase {
    func testBroadcastValues() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], scalars: [10, 20, 30])
        XCTAssertEqual((a + b).scalars, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((a - b).scalars, [-9, -18, -27, -6, -15, -24])
        XCTAssertEqual((a * Tensor(shape: [2, 1], scalars: [2, 3])).scalars, [2, 4, 6, 12, 15, 18])
        XCTAssertEqual((b / Tensor(2)).scalars, [5, 10, 15])
    }

    func testBatchNormStyleBroadcast() {
        // [N, C, H, W] against [1, C, 1, 1], the case the coalescing loop makes fast.
        let x = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map(Float.init))
        let scale = Tensor(shape: [1, 3, 1, 1], scalars: [1, 10, 100])
        let y = x * scale
        for n in 0..<2 { for c in 0..<3 { for i in 0..<4 {
            let index = (n * 3 + c) * 4 + i
            XCTAssertEqual(y.scalars[index], Float(index) * [1, 10, 100][c])
        } } }
    }

    func testBinaryGradientsWithBroadcasting() {
        let a = GradientCheck.sample([2, 3, 4], seed: 1)
        let b = GradientCheck.sample([3, 1], seed: 2)
        assertGradients([a, b]) { $0[0] + $0[1] }
        assertGradients([a, b]) { $0[0] - $0[1] }
        assertGradients([a, b]) { $0[0] * $0[1] }
        let positive = GradientCheck.positive([3, 1], seed: 3)
        assertGradients([a, positive]) { $0[0] / $0[1] }
        let awayFromZero = GradientCheck.sample([2, 3, 4], seed: 4, avoidingZero: 0.5)
        assertGradients([positive, awayFromZero]) { $0[0] / $0[1] }
    }

    /// A one-element divisor (spectral norm's W / σ) takes the dot-product pullback.
    func testDivisionByOneElementTensorGradients() {
        let a = GradientCheck.sample([4, 6], seed: 5)
        assertGradients([a, GradientCheck.positive([1], seed: 6)]) { $0[0] / $0[1] }
        assertGradients([a, GradientCheck.positive([], seed: 7)]) { $0[0] / $0[1] }
    }

    func testScalarOpGradients() {
        let x = GradientCheck.sample([4, 5], seed: 4)
        assertGradients([x]) { -$0[0] }
        assertGradients([x]) { $0[0] * 3 + 2 }
        assertGradients([x]) { 1 - $0[0] / 4 }
    }

    func testPerSampleMaskMultiply() {
        let x = GradientCheck.sample([2, 2, 3, 3], seed: 5)
        var stream = RandomStream(seed: 6, name: "mask")
        let mask = Tensor(shape: [2, 1, 3, 3], scalars: (0..<18).map { _ in stream.uniform() < 0.5 ? 0 : 1 })
        let y = x.masked(by: mask)
        for n in 0..<2 { for c in 0..<2 { for p in 0..<9 {
            XCTAssertEqual(y.scalars[(n * 2 + c) * 9 + p], x.scalars[(n * 2 + c) * 9 + p] * mask.scalars[n * 9 + p])
        } } }
        assertGradients([x]) { $0[0].masked(by: mask) }
    }
}
