import TensorCore
import XCTest

final class TapeTests: XCTestCase {
    func testGradientsAccumulateForATensorUsedTwice() {
        let x = Tensor(shape: [2], scalars: [3, -1], requiresGradient: true)
        (x * x + x).sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [7, -1])  // 2x + 1
    }

    func testBackwardAccumulatesAcrossCalls() {
        let x = Tensor(shape: [1], scalars: [2], requiresGradient: true)
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [6])
    }

    func testDetachedStopsTheGradient() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        let y = x.detached()
        XCTAssertFalse(y.requiresGradient)
        (x * y).sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [1, 2])
    }

    func testNoGradientModeRecordsNothing() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        let y = withoutGradients { (x * x).exp().sum() }
        XCTAssertFalse(y.requiresGradient)
        y.backward()
        XCTAssertNil(x.gradient)
    }

    func testConstantsNeedNoGradient() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        let c = Tensor(shape: [2], scalars: [5, 6])
        (x * c).sum().backward()
        XCTAssertNil(c.gradient)
        XCTAssertEqual(x.gradient?.scalars, [5, 6])
    }

    func testGradientsOfLeavesNothingInLeaves() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGradient: true)
        let w = Tensor(shape: [2], scalars: [3, 4], requiresGradient: true)
        let unused = Tensor(shape: [1], scalars: [0], requiresGradient: true)
        let grads = Tensor.gradients(of: (x * w).sum(), withRespectTo: [x, unused])
        XCTAssertEqual(grads[0].scalars, [3, 4])
        XCTAssertEqual(grads[1].scalars, [0])
        XCTAssertNil(x.gradient)
        XCTAssertNil(w.gradient)
    }

    func testSecondDerivativeThroughCreateGraph() {
        // f = Σ x³ → ∂f/∂x = 3x², and Σ ∂f/∂x has gradient 6x.
        let x = Tensor(shape: [3], scalars: [1, -2, 0.5], requiresGradient: true)
        x.pow(3).sum().backward(createGraph: true)
        let first = x.gradient!
        XCTAssertEqual(first.scalars, [3, 12, 0.75])
        XCTAssertTrue(first.requiresGradient)
        x.gradient = nil
        first.sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [6, -12, 3])
    }

    func testGradientPenaltyThroughConvolutionAndLeakyRelu() {
        // R1-style penalty: ‖∂D/∂x‖² for D(x) = Σ leakyRelu(conv(x, w)); its gradient in w must match
        // finite differences of the penalty computed with first-order gradients only.
        func penalty(_ w: Tensor, _ x: Tensor, createGraph: Bool) -> Tensor {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let score = input.conv2d(w, padding: 1).leakyRelu(slope: 0.2).sum()
            return Tensor.gradients(of: score, withRespectTo: [input], createGraph: createGraph)[0].pow(2).sum()
        }
        var stream = RandomStream(seed: 3, name: "r1")
        let x = Tensor.randomNormal([2, 2, 4, 4], stream: &stream)
        let w = Tensor.randomNormal([3, 2, 3, 3], stream: &stream)
        assertPenaltyGradient(w, elements: [0, 7, 20, 53]) { penalty($0, x, createGraph: $1) }
    }
}
