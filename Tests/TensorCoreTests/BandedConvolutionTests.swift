import TensorCore
import TestSupport
import XCTest

/// The banded im2col forward (one image's columns in bands of output rows) against direct summation.
final class BandedConvolutionTests: XCTestCase {
    /// (kernel, stride, padding): Inception's stem 3×3, its 5×5 and 1×7, a stride-2 3×3 without padding, a
    /// stride-2 4×4 with padding; on a 13×11 plane with a budget of a few output rows, so bands do not
    /// divide the plane and the last one is short.
    let cases: [(kernel: (Int, Int), stride: Int, padding: (Int, Int))] = [
        ((3, 3), 1, (1, 1)), ((5, 5), 1, (2, 2)), ((1, 7), 1, (0, 3)), ((3, 3), 2, (0, 0)), ((4, 4), 2, (1, 1)),
    ]

    func testBandsMatchDirectSummation() {
        for (index, c) in cases.enumerated() {
            let g = ConvGeometry(batch: 3, channels: 4, height: 13, width: 11, kernel: c.kernel, stride: c.stride, padding: c.padding)
            let budget = 3 * g.patchSize * g.outputWidth * MemoryLayout<Float>.size - 1  // two rows per band
            XCTAssertTrue(BandedConvolution.applies(to: g, chunkBytes: budget), "case \(index)")
            XCTAssertEqual(BandedConvolution.bandRows(g, chunkBytes: budget), 2, "case \(index)")
            var stream = RandomStream(seed: UInt64(index), name: "banded")
            let outChannels = 5
            let x = stream.normals(g.batch * g.channels * g.height * g.width), w = stream.normals(outChannels * g.patchSize)
            let b = stream.normals(outChannels)
            for rectified in [false, true] {
                var y = [Float](repeating: .nan, count: g.batch * outChannels * g.outputPlane)
                y.withUnsafeMutableBufferPointer {
                    ConvolutionKernels.forward(x: x, weight: w, bias: b, outChannels: outChannels, geometry: g, y: $0.baseAddress!,
                                               chunkBytes: budget, algorithm: .im2col, rectified: rectified ? 0 : nil)
                }
                // |y| reaches ~10 (up to 100 unit-normal products): 1e-4 is a few float roundings.
                assertClose(y, directConvolution(x, w, b, g, outChannels: outChannels, rectified: rectified).map(Float.init),
                            tolerance: 1e-4)
            }
        }
    }
}
