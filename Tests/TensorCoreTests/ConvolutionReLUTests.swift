import TensorCore
import TestSupport
import XCTest

/// `conv2dReLU`, the fused inference path, against `conv2d` followed by `relu` on every kernel family.
final class ConvolutionReLUTests: XCTestCase {
    /// (input shape, weight shape, stride, padding): im2col 1×7 and 5×5, pointwise 1×1 with one image
    /// per chunk (no column copy) and with several, Winograd 3×3, strided Winograd 4×4.
    let cases: [(input: [Int], weight: [Int], stride: Int, padding: (Int, Int))] = [
        ([3, 6, 9, 9], [5, 6, 1, 7], 1, (0, 3)), ([2, 4, 8, 8], [3, 4, 5, 5], 1, (2, 2)),
        ([3, 64, 40, 40], [8, 64, 1, 1], 1, (0, 0)), ([8, 6, 5, 5], [7, 6, 1, 1], 1, (0, 0)),
        ([3, 9, 10, 10], [11, 9, 3, 3], 1, (1, 1)), ([2, 8, 8, 8], [8, 8, 4, 4], 2, (1, 1)),
        ([2, 3, 11, 11], [4, 3, 3, 3], 2, (0, 0)),
    ]

    func testFusedEqualsConvolutionThenReLUOnEveryKernel() {
        for (index, c) in cases.enumerated() {
            var stream = RandomStream(seed: UInt64(index), name: "conv-relu")
            let x = Tensor.randomNormal(c.input, stream: &stream), w = Tensor.randomNormal(c.weight, stream: &stream)
            let b = Tensor.randomNormal([c.weight[0]], stream: &stream)
            for bias in [b, nil] {
                let fused = x.conv2dReLU(w, bias: bias, stride: c.stride, padding: c.padding)
                let composed = x.conv2d(w, bias: bias, stride: c.stride, padding: c.padding).relu()
                XCTAssertEqual(fused.shape, composed.shape, "case \(index)")
                XCTAssertEqual(fused.scalars, composed.scalars, "case \(index), bias \(bias != nil)")
                XCTAssertTrue(fused.scalars.contains(0) && fused.scalars.contains { $0 > 0 }, "case \(index) rectifies something")
            }
        }
    }

    func testRecordingFallsBackToTheDifferentiableOps() {
        var stream = RandomStream(seed: 9, name: "conv-relu")
        let x = Tensor.randomNormal([2, 3, 6, 6], stream: &stream)
        let w = Tensor(shape: [4, 3, 3, 3], scalars: Tensor.randomNormal([4, 3, 3, 3], stream: &stream).scalars, requiresGradient: true)
        let y = x.conv2dReLU(w, padding: (1, 1))
        XCTAssertTrue(y.requiresGradient)
        assertGradients([x, w]) { $0[0].conv2dReLU($0[1], padding: (1, 1)).sum() }
        let frozen = withoutGradients { x.conv2dReLU(w, padding: (1, 1)) }
        XCTAssertFalse(frozen.requiresGradient)
        XCTAssertEqual(frozen.scalars, y.scalars)
    }

    func testNaNStaysNaN() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [.nan, 1, -1, 2])
        let y = x.conv2dReLU(Tensor(shape: [1, 1, 1, 1], scalars: [1]), padding: (0, 0))
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertEqual(Array(y.scalars[1...]), [1, 0, 2])
    }
}
