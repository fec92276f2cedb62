import TensorCore
import TestSupport
import XCTest

/// The fused per-channel scale-and-shift against x ⊙ scale + shift from broadcasting primitives.
final class ChannelAffineTests: XCTestCase {
    func testMatchesBroadcastingPrimitivesForSharedAndPerImageParameters() {
        let x = GradientCheck.sample([3, 4, 5, 2], seed: 1)
        for parameterShape in [[1, 4, 1, 1], [3, 4, 1, 1]] {
            let scale = GradientCheck.sample(parameterShape, seed: 2), shift = GradientCheck.sample(parameterShape, seed: 3)
            let fused = x.channelAffine(scale: scale, shift: shift), composed = x * scale + shift
            assertClose(fused.scalars, composed.scalars, tolerance: 1e-6)
        }
    }

    func testGradientChecks() {
        let x = GradientCheck.sample([3, 4, 5, 2], seed: 4)
        for parameterShape in [[1, 4, 1, 1], [3, 4, 1, 1]] {
            let scale = GradientCheck.sample(parameterShape, seed: 5), shift = GradientCheck.sample(parameterShape, seed: 6)
            assertGradients([x, scale, shift]) { $0[0].channelAffine(scale: $0[1], shift: $0[2]) }
        }
    }

    /// Under createGraph the pullback is recorded: the gradient of ‖∂D/∂x‖² for D(x) = Σ (x ⊙ s + b)² in s
    /// matches finite differences of the penalty computed with first-order gradients only.
    func testGradientPenaltyThroughTheScale() {
        func penalty(_ scale: Tensor, _ x: Tensor, createGraph: Bool) -> Tensor {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let score = input.channelAffine(scale: scale, shift: Tensor(repeating: 0.3, shape: scale.shape)).pow(2).sum()
            return Tensor.gradients(of: score, withRespectTo: [input], createGraph: createGraph)[0].pow(2).sum()
        }
        let x = GradientCheck.sample([2, 3, 2, 2], seed: 7)
        assertPenaltyGradient(GradientCheck.sample([1, 3, 1, 1], seed: 8), elements: [0, 1, 2]) { penalty($0, x, createGraph: $1) }
    }
}
