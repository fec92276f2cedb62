import Foundation
import TensorCore
import TestSupport
import XCTest

final class UnaryTests: XCTestCase {
    let x = GradientCheck.sample([3, 7], seed: 11, avoidingZero: 0.05)
    let positive = GradientCheck.positive([3, 7], seed: 12)

    func testValues() {
        let v = Tensor(shape: [4], scalars: [-2, -0.5, 0.5, 3])
        assertClose(v.exp().scalars, v.scalars.map { Foundation.exp($0) })
        assertClose(v.tanh().scalars, v.scalars.map { Foundation.tanh($0) })
        assertClose(v.sigmoid().scalars, v.scalars.map { 1 / (1 + Foundation.exp(-$0)) })
        XCTAssertEqual(v.relu().scalars, [0, 0, 0.5, 3])
        XCTAssertEqual(v.leakyRelu(slope: 0.1).scalars, [-0.2, -0.05, 0.5, 3])
        assertClose(v.softplus().scalars, v.scalars.map { Foundation.log(1 + Foundation.exp($0)) })
        assertClose(Tensor(shape: [2], scalars: [4, 9]).sqrt().scalars, [2, 3])
        assertClose(Tensor(shape: [2], scalars: [2, 3]).pow(3).scalars, [8, 27])
    }

    /// The 16-lane tanh against Double's over a dense sweep of [−12, 12], tiny and huge values, with lengths
    /// that leave a partial last vector: within 3 float ulps of the exact value (4e-7 relative below 1); ±0,
    /// ±∞ and NaN map as tanh does. A wrong coefficient or a branch on the wrong side of 0.625 fails it.
    func testTanhIsWithinAFewUlps() {
        var values = stride(from: Float(-12), through: 12, by: 0.000_37).map { $0 }
        values += [1e-30, -1e-12, 1e-6, 3e-4, 0.624_999, 0.625, 0.625_001, 8.999, 9, 9.01, 50, -1e10]
        let y = Tensor(shape: [values.count], scalars: values).tanh().scalars
        var worst: Float = 0
        for (x, computed) in zip(values, y) {
            let exact = Float(Foundation.tanh(Double(x)))
            worst = max(worst, abs(computed - exact) / max(exact.magnitude.ulp, Float.leastNormalMagnitude))
        }
        XCTAssertLessThanOrEqual(worst, 3, "worst error in ulps")
        let special = Tensor(shape: [5], scalars: [0, -0.0, .infinity, -.infinity, .nan]).tanh().scalars
        XCTAssertEqual(Array(special[0..<4]), [0, 0, 1, -1])
        XCTAssertEqual(special[1].sign, .minus)
        XCTAssertTrue(special[4].isNaN)
    }

    func testSoftplusIsStableForLargeInputs() {
        let y = Tensor(shape: [3], scalars: [-200, 200, 1e4]).softplus()
        XCTAssertEqual(y.scalars[0], 0, accuracy: 1e-30)
        XCTAssertEqual(y.scalars[1], 200)
        XCTAssertEqual(y.scalars[2], 1e4)
        XCTAssertTrue(y.scalars.allSatisfy(\.isFinite))
    }

    func testGradients() {
        assertGradients([x]) { $0[0].exp() }
        assertGradients([positive]) { $0[0].log() }
        assertGradients([positive]) { $0[0].sqrt() }
        assertGradients([positive]) { $0[0].pow(2.5) }
        assertGradients([x]) { $0[0].pow(2) }
        assertGradients([x]) { $0[0].tanh() }
        assertGradients([x]) { $0[0].sigmoid() }
        assertGradients([x]) { $0[0].relu() }
        assertGradients([x]) { $0[0].leakyRelu(slope: 0.1) }
        assertGradients([x]) { $0[0].softplus() }
    }

    func testSecondDerivativesOfSmoothFunctions() {
        // d²/dx² tanh = −2 tanh (1 − tanh²); through createGraph the recomputed pullback must give it.
        let t = Tensor(shape: [3], scalars: [-1, 0.3, 2], requiresGradient: true)
        t.tanh().sum().backward(createGraph: true)
        let first = t.gradient!
        t.gradient = nil
        first.sum().backward()
        let expected = [Float(-1), 0.3, 2].map { v -> Float in let y = Foundation.tanh(v); return -2 * y * (1 - y * y) }
        assertClose(t.gradient!.scalars, expected, tolerance: 1e-5)
    }
}

final class NormalizationTests: XCTestCase {
    func testFusedBatchNormMatchesTheComposedOps() {
        let x = GradientCheck.sample([4, 3, 5, 5], seed: 31, scale: 2)
        let fused = x.batchNormalized(epsilon: 1e-5)
        assertClose(fused.output.scalars, x.batchNormalizedComposed(epsilon: 1e-5).scalars, tolerance: 1e-5)
        // Gradients of the fused op against the composed one, for a non-trivial upstream gradient.
        let seed = GradientCheck.sample([4, 3, 5, 5], seed: 32)
        let a = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
        a.batchNormalized(epsilon: 1e-5).output.backward(seed: seed)
        let b = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
        b.batchNormalizedComposed(epsilon: 1e-5).backward(seed: seed)
        assertClose(a.gradient!.scalars, b.gradient!.scalars, tolerance: 1e-4)
    }

    func testFusedBatchNormGradientAndSecondDerivative() {
        let x = GradientCheck.sample([3, 2, 2, 3], seed: 33)
        assertGradients([x]) { $0[0].batchNormalized(epsilon: 1e-5).output }
        // Under createGraph the gradient is itself differentiable: compare with the composed ops.
        func secondOrder(_ op: (Tensor) -> Tensor) -> [Float] {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let first = Tensor.gradients(of: (op(input) * op(input)).pow(3).sum(), withRespectTo: [input], createGraph: true)[0]
            return Tensor.gradients(of: first.pow(2).sum(), withRespectTo: [input])[0].scalars
        }
        let fused = secondOrder { $0.batchNormalized(epsilon: 1e-5).output }
        let composed = secondOrder { $0.batchNormalizedComposed(epsilon: 1e-5) }
        let scale = composed.map(abs).max()!
        XCTAssertGreaterThan(scale, 1)
        assertClose(fused.map { $0 / scale }, composed.map { $0 / scale }, tolerance: 1e-5)
    }
}
