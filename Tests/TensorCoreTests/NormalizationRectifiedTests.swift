import TensorCore
import TestSupport
import XCTest

/// `batchNormAffineReLU` against `batchNormalized` → `channelAffine` → `relu()`: values, statistics and every
/// gradient bit for bit, with a shared and a per-image scale and shift, planes of 1, 15, 16 and 64 elements.
final class NormalizationRectifiedTests: XCTestCase {
    let shapes: [[Int]] = [[3, 4, 1, 1], [2, 3, 3, 5], [4, 5, 4, 4], [3, 2, 8, 8]]

    private func operands(_ shape: [Int], perImage: Bool, seed: UInt64) -> (x: Tensor, scale: Tensor, shift: Tensor) {
        var stream = RandomStream(seed: seed, name: "bn-relu")
        let operandShape = [perImage ? shape[0] : 1, shape[1], 1, 1]
        let x = Tensor(shape: shape, scalars: Tensor.randomNormal(shape, stream: &stream).scalars.map { 3 * $0 + 1 })
        return (x, Tensor.randomNormal(operandShape, stream: &stream), Tensor.randomNormal(operandShape, stream: &stream))
    }

    private func composed(_ x: Tensor, _ scale: Tensor, _ shift: Tensor) -> (Tensor, [Float], [Float]) {
        let (normalized, mean, variance) = x.batchNormalized(epsilon: 1e-5)
        return (normalized.channelAffine(scale: scale, shift: shift).relu(), mean, variance)
    }

    func testValuesAndStatisticsEqualTheComposedOps() {
        for (index, shape) in shapes.enumerated() {
            for perImage in [false, true] {
                let (x, scale, shift) = operands(shape, perImage: perImage, seed: UInt64(index))
                let fused = x.batchNormAffineReLU(scale: scale, shift: shift, epsilon: 1e-5)
                let (output, mean, variance) = composed(x, scale, shift)
                XCTAssertEqual(fused.output.scalars.map(\.bitPattern), output.scalars.map(\.bitPattern), "\(shape), per image \(perImage)")
                XCTAssertEqual(fused.mean, mean)
                XCTAssertEqual(fused.variance, variance)
                XCTAssertTrue(output.scalars.contains(0) && output.scalars.contains { $0 > 0 }, "\(shape) rectifies something")
            }
        }
    }

    /// dx, dscale and dshift of Σ r ⊙ y, bit for bit the composed ops'.
    func testPullbackEqualsTheComposedOps() {
        for (index, shape) in shapes.enumerated() {
            for perImage in [false, true] {
                let (x, scale, shift) = operands(shape, perImage: perImage, seed: UInt64(10 + index))
                func gradients(fused: Bool) -> [[UInt32]] {
                    let leaves = [x, scale, shift].map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGradient: true) }
                    let y = fused ? leaves[0].batchNormAffineReLU(scale: leaves[1], shift: leaves[2], epsilon: 1e-5).output
                                  : composed(leaves[0], leaves[1], leaves[2]).0
                    var weights = RandomStream(seed: 7, name: "upstream")
                    (y * Tensor.randomNormal(y.shape, stream: &weights)).sum().backward()
                    return leaves.map { ($0.gradient?.scalars ?? []).map(\.bitPattern) }
                }
                let (fused, reference) = (gradients(fused: true), gradients(fused: false))
                for (name, pair) in zip(["dx", "dscale", "dshift"], zip(fused, reference)) {
                    XCTAssertFalse(pair.0.isEmpty, "\(shape): no \(name)")
                    XCTAssertEqual(pair.0, pair.1, "\(shape), per image \(perImage): \(name)")
                }
            }
        }
    }

    /// Only the operands that need a gradient get one; x without a gradient still passes one to scale.
    func testGradientsOnlyWhereRequired() {
        let (x, scale, shift) = operands([2, 3, 4, 4], perImage: false, seed: 30)
        let trainable = Tensor(shape: scale.shape, scalars: scale.scalars, requiresGradient: true)
        x.batchNormAffineReLU(scale: trainable, shift: shift, epsilon: 1e-5).output.sum().backward()
        XCTAssertNotNil(trainable.gradient)
        XCTAssertNil(shift.gradient)
    }

    /// Finite differences. Shifts of ±6 put every y of channels 0 and 2 above the kink and of channels 1 and
    /// 3 below it (|x̂ ⊙ scale| ≤ 3.5 here), so ε = 10⁻² never crosses it and both branches are checked.
    func testGradients() {
        let x = GradientCheck.sample([2, 4, 3, 3], seed: 41)
        let scale = Tensor(shape: [1, 4, 1, 1], scalars: [0.8, -1.1, 1.2, 0.6])
        let shift = Tensor(shape: [1, 4, 1, 1], scalars: [6, -6, 6, -6])
        assertGradients([x, scale, shift]) {
            ($0[0].batchNormAffineReLU(scale: $0[1], shift: $0[2], epsilon: 1e-5).output * $0[0]).sum()
        }
        let perImage = Tensor(shape: [2, 4, 1, 1], scalars: [6, -6, 6, -6, -6, 6, -6, 6])
        assertGradients([x, perImage]) {
            ($0[0].batchNormAffineReLU(scale: scale, shift: $0[1], epsilon: 1e-5).output * $0[0]).sum()
        }
    }

    /// A gradient penalty through the fused op (createGraph) against finite differences.
    func testGradientPenalty() {
        let x = GradientCheck.sample([3, 2, 2, 2], seed: 43)
        let shift = Tensor(shape: [1, 2, 1, 1], scalars: [5, 5])
        func penalty(_ scale: Tensor, createGraph: Bool) -> Tensor {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let score = (input.batchNormAffineReLU(scale: scale, shift: shift, epsilon: 1e-5).output * input).sum()
            return Tensor.gradients(of: score, withRespectTo: [input], createGraph: createGraph)[0].pow(2).sum()
        }
        assertPenaltyGradient(Tensor(shape: [1, 2, 1, 1], scalars: [0.7, -1.3]), elements: [0, 1]) { penalty($0, createGraph: $1) }
    }
}
