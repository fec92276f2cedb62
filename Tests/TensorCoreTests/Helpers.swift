import TensorCore
import TestSupport
import XCTest

/// Fails the test with the first few mismatches when the tape's gradients disagree with finite differences.
func assertGradients(_ inputs: [Tensor], epsilon: Float = 1e-2, file: StaticString = #filePath, line: UInt = #line,
                     _ f: @escaping ([Tensor]) -> Tensor) {
    let mismatches = GradientCheck.mismatches(inputs, epsilon: epsilon, f)
    XCTAssertTrue(mismatches.isEmpty, "gradient check failed: " +
                  mismatches.prefix(5).map(\.description).joined(separator: "; "), file: file, line: line)
}

func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "counts differ", file: file, line: line)
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, tolerance, "largest difference \(worst)", file: file, line: line)
}

/// Checks the gradient of a penalty built with createGraph (an R1-style ‖∂D/∂x‖²) in `parameter` against
/// central differences of the same penalty built with first-order gradients only, at `elements`.
func assertPenaltyGradient(_ parameter: Tensor, elements: [Int], epsilon: Float = 1e-2,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ penalty: (Tensor, _ createGraph: Bool) -> Tensor) {
    let leaf = Tensor(shape: parameter.shape, scalars: parameter.scalars, requiresGradient: true)
    penalty(leaf, true).backward()
    guard let analytic = leaf.gradient?.scalars else { return XCTFail("no gradient reached the parameter", file: file, line: line) }
    for element in elements {
        func value(_ delta: Float) -> Double {
            var values = parameter.scalars
            values[element] += delta
            return Double(penalty(Tensor(shape: parameter.shape, scalars: values), false).scalar)
        }
        let numeric = (value(epsilon) - value(-epsilon)) / Double(2 * epsilon)
        XCTAssertEqual(Double(analytic[element]), numeric, accuracy: 1e-2 + 1e-2 * abs(numeric), "element \(element)",
                       file: file, line: line)
    }
}

/// Outputs of the three convolution kernels on one problem.
struct ConvolutionKernelResults { var y, dx, dw: [Float] }

/// Forward (with bias), transposed and weight gradient of a convolution of geometry `g` by `algorithm`, on
/// normal samples from the stream (seed from the plane size, `name`); `chunkBytes` sizes the chunks.
/// Input, weight, bias and output gradient of a convolution of geometry `g`: normal samples from the stream
/// (seed from the plane size, `name`).
func convolutionInputs(_ g: ConvGeometry, outChannels: Int, name: String) -> (x: [Float], w: [Float], bias: [Float], dy: [Float]) {
    var stream = RandomStream(seed: UInt64(g.height * 31 + g.width), name: name)
    let x = stream.normals(g.batch * g.channels * g.height * g.width)
    let w = stream.normals(outChannels * g.patchSize), bias = stream.normals(outChannels)
    return (x, w, bias, stream.normals(g.batch * outChannels * g.outputPlane))
}

func runConvolutionKernels(_ g: ConvGeometry, outChannels: Int, name: String, algorithm: ConvolutionKernels.Algorithm,
                           chunkBytes: Int? = nil) -> ConvolutionKernelResults {
    let (x, w, bias, dy) = convolutionInputs(g, outChannels: outChannels, name: name)
    var r = ConvolutionKernelResults(y: [Float](repeating: .nan, count: dy.count), dx: [Float](repeating: .nan, count: x.count),
                                     dw: [Float](repeating: .nan, count: w.count))
    r.y.withUnsafeMutableBufferPointer {
        ConvolutionKernels.forward(x: x, weight: w, bias: bias, outChannels: outChannels, geometry: g,
                                   y: $0.baseAddress!, chunkBytes: chunkBytes, algorithm: algorithm)
    }
    r.dx.withUnsafeMutableBufferPointer {
        ConvolutionKernels.transposed(dy: dy, weight: w, outChannels: outChannels, geometry: g,
                                      x: $0.baseAddress!, chunkBytes: chunkBytes, algorithm: algorithm)
    }
    r.dw.withUnsafeMutableBufferPointer {
        ConvolutionKernels.weightGradient(x: x, dy: dy, outChannels: outChannels, geometry: g,
                                          dw: $0.baseAddress!, chunkBytes: chunkBytes, algorithm: algorithm)
    }
    return r
}

/// The Winograd kernels (one chunk) against im2col on one problem: every output within `relative` of the
/// largest magnitude of im2col's.
func assertWinogradMatchesIm2col(_ g: ConvGeometry, outChannels: Int, name: String, relative: Float,
                                 file: StaticString = #filePath, line: UInt = #line) {
    let fast = runConvolutionKernels(g, outChannels: outChannels, name: name, algorithm: .winograd, chunkBytes: 1 << 30)
    let simple = runConvolutionKernels(g, outChannels: outChannels, name: name, algorithm: .im2col)
    for (actual, expected) in [(fast.y, simple.y), (fast.dx, simple.dx), (fast.dw, simple.dw)] {
        assertClose(actual, expected, tolerance: relative * expected.map(abs).max()!, file: file, line: line)
    }
}

/// y[n, o, oh, ow] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, oh·s − ph + i, ow·s − pw + j] (0 outside x), then
/// max(·, 0) when `rectified`: direct summation in Float64, the reference for the convolution kernels.
func directConvolution(_ x: [Float], _ w: [Float], _ b: [Float], _ g: ConvGeometry, outChannels: Int, rectified: Bool) -> [Double] {
    var y: [Double] = []
    for n in 0..<g.batch { for o in 0..<outChannels { for oh in 0..<g.outputHeight { for ow in 0..<g.outputWidth {
        var sum = Double(b[o])
        for c in 0..<g.channels { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
            let (r, q) = (oh * g.stride - g.paddingHeight + i, ow * g.stride - g.paddingWidth + j)
            guard r >= 0, r < g.height, q >= 0, q < g.width else { continue }
            sum += Double(w[((o * g.channels + c) * g.kernelHeight + i) * g.kernelWidth + j])
                * Double(x[((n * g.channels + c) * g.height + r) * g.width + q])
        } } }
        y.append(rectified ? max(sum, 0) : sum)
    } } } }
    return y
}
