import TensorCore
import TestSupport
import XCTest

/// The banded im2col forward (one image's columns in bands of output rows) against direct summation.
final class BandedConvolutionTests: XCTestCase {
    /// y[n, o, oh, ow] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, oh·s − ph + i, ow·s − pw + j], then max(·, 0)
    /// when `rectified`, in Float64.
    func direct(_ x: [Float], _ w: [Float], _ b: [Float], _ g: ConvGeometry, outChannels: Int, rectified: Bool) -> [Float] {
        var y: [Float] = []
        for n in 0..<g.batch { for o in 0..<outChannels { for oh in 0..<g.outputHeight { for ow in 0..<g.outputWidth {
            var sum = Double(b[o])
            for c in 0..<g.channels { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                let (r, q) = (oh * g.stride - g.paddingHeight + i, ow * g.stride - g.paddingWidth + j)
                guard r >= 0, r < g.height, q >= 0, q < g.width else { continue }
                sum += Double(w[((o * g.channels + c) * g.kernelHeight + i) * g.kernelWidth + j])
                    * Double(x[((n * g.channels + c) * g.height + r) * g.width + q])
            } } }
            y.append(Float(rectified ? max(sum, 0) : sum))
        } } } }
        return y
    }

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
                                               chunkBytes: budget, algorithm: .im2col, rectified: rectified)
                }
                // |y| reaches ~10 (up to 100 unit-normal products): 1e-4 is a few float roundings.
                assertClose(y, direct(x, w, b, g, outChannels: outChannels, rectified: rectified), tolerance: 1e-4)
            }
        }
    }
}
