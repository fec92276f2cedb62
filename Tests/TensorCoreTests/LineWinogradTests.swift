import TensorCore
import TestSupport
import XCTest

/// Winograd F(2, 7) along one axis (7×1 and 1×7 layers) against direct Float64 summation.
final class LineWinogradTests: XCTestCase {
    /// 7×1 and 1×7 on odd and even planes (a last tile with one row inside), one narrower than the kernel.
    func testMatchesDirectSummation() {
        let shapes: [(kernel: (Int, Int), padding: (Int, Int), h: Int, w: Int)] = [
            ((7, 1), (3, 0), 17, 17), ((1, 7), (0, 3), 17, 17), ((7, 1), (3, 0), 8, 5), ((1, 7), (0, 3), 6, 9), ((7, 1), (3, 0), 3, 4),
        ]
        for (index, shape) in shapes.enumerated() {
            let g = ConvGeometry(batch: 2, channels: 12, height: shape.h, width: shape.w, kernel: shape.kernel, stride: 1,
                                 padding: shape.padding)
            XCTAssertTrue(LineWinogradConvolution.applies(to: g))
            let outChannels = 10
            var stream = RandomStream(seed: UInt64(index), name: "line-winograd")
            let x = stream.normals(g.batch * g.channels * g.height * g.width)
            let w = stream.normals(outChannels * g.patchSize), b = stream.normals(outChannels)
            for rectified in [false, true] {
                var y = [Float](repeating: .nan, count: g.batch * outChannels * g.outputPlane)
                y.withUnsafeMutableBufferPointer {
                    LineWinogradConvolution.forward(x: x, weight: w, bias: b, outChannels: outChannels, geometry: g,
                                                    y: $0.baseAddress!, rectified: rectified ? 0 : nil)
                }
                let expected = directConvolution(x, w, b, g, outChannels: outChannels, rectified: rectified)
                let scale = expected.map(abs).max() ?? 1
                let worst = zip(y, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst / scale, 1e-5, "case \(index), rectified \(rectified): relative error \(worst / scale)")
            }
        }
    }

    /// conv2d's forward takes it for such layers (its values are the kernel's own, bit for bit), and it does not
    /// apply to few channels, other padding or stride 2.
    func testChosenOnlyWhereItApplies() {
        var stream = RandomStream(seed: 7, name: "line-winograd-dispatch")
        let x = Tensor.randomNormal([2, 9, 11, 6], stream: &stream), w = Tensor.randomNormal([5, 9, 7, 1], stream: &stream)
        let g = ConvGeometry(batch: 2, channels: 9, height: 11, width: 6, kernel: (7, 1), stride: 1, padding: (3, 0))
        var direct = [Float](repeating: 0, count: 2 * 5 * 11 * 6)
        direct.withUnsafeMutableBufferPointer {
            LineWinogradConvolution.forward(x: x.scalars, weight: w.scalars, bias: nil, outChannels: 5, geometry: g,
                                            y: $0.baseAddress!, rectified: nil)
        }
        XCTAssertEqual(withoutGradients { x.conv2d(w, padding: (3, 0)) }.scalars, direct)
        XCTAssertFalse(LineWinogradConvolution.applies(to: ConvGeometry(batch: 1, channels: 4, height: 9, width: 9, kernel: (7, 1),
                                                                        stride: 1, padding: (3, 0))))
        XCTAssertFalse(LineWinogradConvolution.applies(to: ConvGeometry(batch: 1, channels: 16, height: 9, width: 9, kernel: (7, 1),
                                                                        stride: 1, padding: (0, 0))))
        XCTAssertFalse(LineWinogradConvolution.applies(to: ConvGeometry(batch: 1, channels: 16, height: 9, width: 9, kernel: (7, 1),
                                                                        stride: 2, padding: (3, 0))))
    }
}
