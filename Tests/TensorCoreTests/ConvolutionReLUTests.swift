import TensorCore
import TestSupport
import XCTest

/// `conv2dLeakyReLU` (and `conv2dReLU`, its slope 0), the rectifier fused into the convolution's chunks,
/// against `conv2d` followed by `leakyRelu(slope:)` on every kernel family: values and gradients.
final class ConvolutionReLUTests: XCTestCase {
    /// (input shape, weight shape, stride, padding): im2col 1×7 and 5×5, pointwise 1×1 with one image
    /// per chunk (no column copy) and with several, Winograd 3×3, strided Winograd 4×4.
    let cases: [(input: [Int], weight: [Int], stride: Int, padding: (Int, Int))] = [
        ([3, 6, 9, 9], [5, 6, 1, 7], 1, (0, 3)), ([2, 4, 8, 8], [3, 4, 5, 5], 1, (2, 2)),
        ([3, 64, 40, 40], [8, 64, 1, 1], 1, (0, 0)), ([8, 6, 5, 5], [7, 6, 1, 1], 1, (0, 0)),
        ([3, 9, 10, 10], [11, 9, 3, 3], 1, (1, 1)), ([2, 8, 8, 8], [8, 8, 4, 4], 2, (1, 1)),
        ([2, 3, 11, 11], [4, 3, 3, 3], 2, (0, 0)),
    ]
    let slopes: [Float] = [0, 0.1, 0.2]

    func testFusedEqualsConvolutionThenRectifierOnEveryKernel() {
        for (index, c) in cases.enumerated() {
            var stream = RandomStream(seed: UInt64(index), name: "conv-relu")
            let x = Tensor.randomNormal(c.input, stream: &stream), w = Tensor.randomNormal(c.weight, stream: &stream)
            let b = Tensor.randomNormal([c.weight[0]], stream: &stream)
            for bias in [b, nil] {
                for slope in slopes {
                    let fused = x.conv2dLeakyReLU(w, bias: bias, stride: c.stride, padding: c.padding, slope: slope)
                    let composed = x.conv2d(w, bias: bias, stride: c.stride, padding: c.padding).leakyRelu(slope: slope)
                    XCTAssertEqual(fused.shape, composed.shape, "case \(index)")
                    XCTAssertEqual(fused.scalars, composed.scalars, "case \(index), bias \(bias != nil), slope \(slope)")
                    XCTAssertTrue(fused.scalars.contains { $0 <= 0 } && fused.scalars.contains { $0 > 0 },
                                  "case \(index) rectifies something")
                }
                XCTAssertEqual(x.conv2dReLU(w, bias: bias, stride: c.stride, padding: c.padding).scalars,
                               x.conv2d(w, bias: bias, stride: c.stride, padding: c.padding).relu().scalars, "case \(index), ReLU")
            }
        }
    }

    /// dx, dw and db of Σ r ⊙ y, bit for bit the composed ops' (the mask from y's sign equals the one from z's).
    func testPullbackEqualsTheComposedOpsOnEveryKernel() {
        for (index, c) in cases.enumerated() {
            var stream = RandomStream(seed: UInt64(100 + index), name: "conv-relu-pullback")
            let x = Tensor.randomNormal(c.input, stream: &stream), w = Tensor.randomNormal(c.weight, stream: &stream)
            let b = Tensor.randomNormal([c.weight[0]], stream: &stream)
            for slope in slopes {
                func gradients(fused: Bool) -> [[Float]] {
                    let leaves = [x, w, b].map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGradient: true) }
                    let y = fused
                        ? leaves[0].conv2dLeakyReLU(leaves[1], bias: leaves[2], stride: c.stride, padding: c.padding, slope: slope)
                        : leaves[0].conv2d(leaves[1], bias: leaves[2], stride: c.stride, padding: c.padding).leakyRelu(slope: slope)
                    var weights = RandomStream(seed: 7, name: "upstream")
                    (y * Tensor.randomNormal(y.shape, stream: &weights)).sum().backward()
                    return leaves.map { $0.gradient?.scalars ?? [] }
                }
                let (fused, composed) = (gradients(fused: true), gradients(fused: false))
                for (name, pair) in zip(["dx", "dw", "db"], zip(fused, composed)) {
                    XCTAssertFalse(pair.0.isEmpty, "case \(index): no \(name)")
                    XCTAssertEqual(pair.0, pair.1, "case \(index), slope \(slope): \(name)")
                }
            }
        }
    }

    /// Finite differences. Biases of ±4 put every pre-activation of channels 0 and 2 above the kink and of
    /// channels 1 and 3 below it (|conv| ≤ 27 · 0.3 · 0.3 ≈ 2.4 here), so ε = 10⁻² never crosses it and
    /// both branches of the mask are checked.
    func testGradients() {
        func clamped(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, scalars: t.scalars.map { max(-0.3, min(0.3, $0)) }) }
        let x = clamped(GradientCheck.sample([2, 3, 6, 6], seed: 11, scale: 0.1))
        let w = clamped(GradientCheck.sample([4, 3, 3, 3], seed: 12, scale: 0.1))
        let b = Tensor(shape: [4], scalars: [4, -4, 4, -4])
        for slope: Float in [0, 0.2] {
            assertGradients([x, w, b]) { $0[0].conv2dLeakyReLU($0[1], bias: $0[2], padding: (1, 1), slope: slope).sum() }
        }
    }

    /// An R1-style penalty ‖∂D/∂x‖² through the fused op (createGraph), against finite differences.
    func testGradientPenalty() {
        func penalty(_ w: Tensor, _ x: Tensor, createGraph: Bool) -> Tensor {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let score = (input.conv2dLeakyReLU(w, padding: (1, 1), slope: 0.2) * input.conv2d(w, padding: 1)).sum()
            return Tensor.gradients(of: score, withRespectTo: [input], createGraph: createGraph)[0].pow(2).sum()
        }
        var stream = RandomStream(seed: 3, name: "r1-fused")
        let x = Tensor.randomNormal([2, 2, 4, 4], stream: &stream)
        let w = Tensor.randomNormal([3, 2, 3, 3], stream: &stream)
        assertPenaltyGradient(w, elements: [0, 7, 20, 53]) { penalty($0, x, createGraph: $1) }
    }

    func testWithoutGradientsRecordsNothing() {
        var stream = RandomStream(seed: 9, name: "conv-relu")
        let x = Tensor.randomNormal([2, 3, 6, 6], stream: &stream)
        let w = Tensor(shape: [4, 3, 3, 3], scalars: Tensor.randomNormal([4, 3, 3, 3], stream: &stream).scalars, requiresGradient: true)
        let y = x.conv2dReLU(w, padding: (1, 1))
        XCTAssertTrue(y.requiresGradient)
        let frozen = withoutGradients { x.conv2dReLU(w, padding: (1, 1)) }
        XCTAssertFalse(frozen.requiresGradient)
        XCTAssertEqual(frozen.scalars, y.scalars)
    }

    func testNaNStaysNaN() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [.nan, 1, -1, 2])
        let y = x.conv2dReLU(Tensor(shape: [1, 1, 1, 1], scalars: [1]), padding: (0, 0))
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertEqual(Array(y.scalars[1...]), [1, 0, 2])
        let leaky = x.conv2dLeakyReLU(Tensor(shape: [1, 1, 1, 1], scalars: [1]), padding: (0, 0), slope: 0.5)
        XCTAssertTrue(leaky.scalars[0].isNaN)
        XCTAssertEqual(Array(leaky.scalars[1...]), [1, -0.5, 2])
    }
}
