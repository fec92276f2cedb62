import TensorCore
import TestSupport
import XCTest

final class ConvolutionTests: XCTestCase {
    func naiveConv(_ x: Tensor, _ w: Tensor, stride s: Int, padding p: Int) -> [Float] {
        naiveConv(x, w, stride: s, padding: (p, p))
    }

    /// Direct loops: y[n,o,i,j] = Σ w[o,c,a,b]·x[n,c,i·s−ph+a, j·s−pw+b] for a kh×kw kernel.
    func naiveConv(_ x: Tensor, _ w: Tensor, stride s: Int, padding p: (Int, Int)) -> [Float] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (oh, ow) = ((h + 2 * p.0 - kh) / s + 1, (wd + 2 * p.1 - kw) / s + 1)
        var y = [Float](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
            var total: Float = 0
            for ic in 0..<c { for a in 0..<kh { for bb in 0..<kw {
                let (r, q) = (i * s - p.0 + a, j * s - p.1 + bb)
                guard r >= 0, r < h, q >= 0, q < wd else { continue }
                total += w.scalars[((oc * c + ic) * kh + a) * kw + bb] * x.scalars[((b * c + ic) * h + r) * wd + q]
            } } }
            y[((b * o + oc) * oh + i) * ow + j] = total
        } } } }
        return y
    }

    /// Direct scatter: y[n,co,i·s−p+a, j·s−p+b] += w[ci,co,a,b]·x[n,ci,i,j].
    func naiveConvTranspose(_ x: Tensor, _ w: Tensor, stride s: Int, padding p: Int, output: (Int, Int)) -> [Float] {
        let (n, ci, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, k) = (w.shape[1], w.shape[2])
        var y = [Float](repeating: 0, count: n * co * output.0 * output.1)
        for b in 0..<n { for ic in 0..<ci { for i in 0..<h { for j in 0..<wd { for oc in 0..<co {
            for a in 0..<k { for bb in 0..<k {
                let (r, q) = (i * s - p + a, j * s - p + bb)
                guard r >= 0, r < output.0, q >= 0, q < output.1 else { continue }
                y[((b * co + oc) * output.0 + r) * output.1 + q] +=
                    w.scalars[((ic * co + oc) * k + a) * k + bb] * x.scalars[((b * ci + ic) * h + i) * wd + j]
            } }
        } } } } }
        return y
    }

    let cases: [(size: (Int, Int), kernel: Int, stride: Int, padding: Int)] = [
        ((5, 5), 3, 1, 1), ((7, 6), 3, 2, 0), ((8, 8), 4, 2, 1), ((9, 7), 4, 2, 1), ((6, 5), 1, 1, 0),
        ((5, 9), 3, 3, 2), ((4, 4), 4, 1, 0), ((1, 3), 5, 1, 2),
    ]

    func testConv2dMatchesNaiveLoops() {
        for (index, c) in cases.enumerated() {
            var stream = RandomStream(seed: UInt64(index), name: "conv")
            let x = Tensor.randomNormal([2, 3, c.size.0, c.size.1], stream: &stream)
            let w = Tensor.randomNormal([4, 3, c.kernel, c.kernel], stream: &stream)
            let y = x.conv2d(w, stride: c.stride, padding: c.padding)
            assertClose(y.scalars, naiveConv(x, w, stride: c.stride, padding: c.padding), tolerance: 1e-4)
        }
    }

    /// Inception-v3's kernels: 1×7, 7×1, 1×3, 3×1 with padding on one axis only, and a strided 3×1.
    let rectangularCases: [(kernel: (Int, Int), stride: Int, padding: (Int, Int))] = [
        ((1, 7), 1, (0, 3)), ((7, 1), 1, (3, 0)), ((1, 3), 1, (0, 1)), ((3, 1), 2, (1, 0)), ((2, 5), 2, (1, 2)),
    ]

    func testRectangularConv2dMatchesNaiveLoopsAndAdjoints() {
        for (index, c) in rectangularCases.enumerated() {
            var stream = RandomStream(seed: UInt64(index), name: "rect")
            let x = Tensor.randomNormal([2, 3, 9, 8], stream: &stream)
            let w = Tensor.randomNormal([4, 3, c.kernel.0, c.kernel.1], stream: &stream)
            let y = x.conv2d(w, stride: c.stride, padding: c.padding)
            assertClose(y.scalars, naiveConv(x, w, stride: c.stride, padding: c.padding), tolerance: 1e-4)
            let g = ConvGeometry(batch: 2, channels: 3, height: 9, width: 8, kernel: c.kernel, stride: c.stride, padding: c.padding)
            XCTAssertEqual(y.shape, [2, 4, g.outputHeight, g.outputWidth])
        }
    }

    func testRectangularConvolutionGradients() {
        for (index, c) in rectangularCases.enumerated() {
            let x = GradientCheck.sample([2, 2, 7, 6], seed: UInt64(150 + index))
            let w = GradientCheck.sample([3, 2, c.kernel.0, c.kernel.1], seed: UInt64(160 + index), scale: 0.5)
            assertGradients([x, w]) { $0[0].conv2d($0[1], stride: c.stride, padding: c.padding) }
            let wt = GradientCheck.sample([2, 3, c.kernel.0, c.kernel.1], seed: UInt64(170 + index), scale: 0.5)
            assertGradients([x, wt]) { $0[0].convTranspose2d($0[1], stride: c.stride, padding: c.padding) }
        }
    }

    func testConvTranspose2dMatchesNaiveLoops() {
        for (index, c) in cases.enumerated() {
            var stream = RandomStream(seed: UInt64(index), name: "convT")
            let x = Tensor.randomNormal([2, 3, c.size.0, c.size.1], stream: &stream)
            let w = Tensor.randomNormal([3, 2, c.kernel, c.kernel], stream: &stream)
            let y = x.convTranspose2d(w, stride: c.stride, padding: c.padding)
            let expected = naiveConvTranspose(x, w, stride: c.stride, padding: c.padding, output: (y.shape[2], y.shape[3]))
            assertClose(y.scalars, expected, tolerance: 1e-4)
        }
    }

    func testIm2ColAdjointIdentity() {
        // ⟨im2col x, y⟩ = ⟨x, col2im y⟩ for every geometry.
        for (index, c) in cases.enumerated() {
            let g = ConvGeometry(batch: 2, channels: 3, height: c.size.0, width: c.size.1,
                                 kernel: c.kernel, stride: c.stride, padding: c.padding)
            var stream = RandomStream(seed: UInt64(index), name: "adjoint")
            let x = stream.normals(2 * 3 * c.size.0 * c.size.1)
            let y = stream.normals(g.patchSize * g.batch * g.outputPlane)
            var col = [Float](repeating: 0, count: y.count), back = [Float](repeating: 0, count: x.count)
            col.withUnsafeMutableBufferPointer { Im2Col.im2col(x, g, into: $0.baseAddress!) }
            back.withUnsafeMutableBufferPointer { Im2Col.col2im(y, g, into: $0.baseAddress!) }
            let lhs = zip(col, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "case \(c)")
        }
    }

    func testConv2dGradients() {
        for (index, c) in cases.prefix(4).enumerated() {
            let x = GradientCheck.sample([2, 2, c.size.0, c.size.1], seed: UInt64(50 + index))
            let w = GradientCheck.sample([3, 2, c.kernel, c.kernel], seed: UInt64(60 + index), scale: 0.5)
            assertGradients([x, w]) { $0[0].conv2d($0[1], stride: c.stride, padding: c.padding) }
        }
    }

    /// The fused bias equals adding it afterwards (bit for bit), and has its gradient.
    func testConv2dWithBiasMatchesAddingItAfterwards() {
        for (index, c) in cases.prefix(4).enumerated() {
            var stream = RandomStream(seed: UInt64(200 + index), name: "bias")
            let x = Tensor.randomNormal([3, 2, c.size.0, c.size.1], stream: &stream)
            let w = Tensor.randomNormal([4, 2, c.kernel, c.kernel], stream: &stream)
            let b = Tensor.randomNormal([4], stream: &stream)
            let composed = x.conv2d(w, stride: c.stride, padding: c.padding) + b.reshaped(to: [1, 4, 1, 1])
            XCTAssertEqual(x.conv2d(w, bias: b, stride: c.stride, padding: c.padding).scalars, composed.scalars)
            let bx = GradientCheck.sample([2, 2, c.size.0, c.size.1], seed: UInt64(210 + index))
            let bw = GradientCheck.sample([3, 2, c.kernel, c.kernel], seed: UInt64(220 + index), scale: 0.5)
            let bb = GradientCheck.sample([3], seed: UInt64(230 + index))
            assertGradients([bx, bw, bb]) { $0[0].conv2d($0[1], bias: $0[2], stride: c.stride, padding: c.padding) }
        }
    }

    func testConvTranspose2dGradients() {
        for (index, c) in cases.prefix(4).enumerated() {
            let x = GradientCheck.sample([2, 2, c.size.0, c.size.1], seed: UInt64(70 + index))
            let w = GradientCheck.sample([2, 3, c.kernel, c.kernel], seed: UInt64(80 + index), scale: 0.5)
            assertGradients([x, w]) { $0[0].convTranspose2d($0[1], stride: c.stride, padding: c.padding) }
        }
    }

    func testWeightGradientOpGradients() {
        let x = GradientCheck.sample([2, 2, 6, 6], seed: 90)
        let dy = GradientCheck.sample([2, 3, 3, 3], seed: 91)
        assertGradients([x, dy]) {
            Tensor.conv2dWeightGradient(input: $0[0], outputGradient: $0[1], kernel: 4, stride: 2, padding: 1)
        }
    }

    func testChunkedKernelsMatchSingleChunkResults() {
        // Batch 7 with one image per chunk exercises every accumulation group and a ragged last round.
        let g = ConvGeometry(batch: 7, channels: 3, height: 9, width: 8, kernel: 3, stride: 2, padding: 1)
        var stream = RandomStream(seed: 5, name: "chunks")
        let x = stream.normals(7 * 3 * 9 * 8), w = stream.normals(4 * g.patchSize)
        let dy = stream.normals(7 * 4 * g.outputPlane)
        func run(_ chunkBytes: Int) -> (y: [Float], dx: [Float], dw: [Float]) {
            var y = [Float](repeating: 0, count: dy.count), dx = x, dw = w
            y.withUnsafeMutableBufferPointer {
                ConvolutionKernels.forward(x: x, weight: w, outChannels: 4, geometry: g, y: $0.baseAddress!, chunkBytes: chunkBytes)
            }
            dx.withUnsafeMutableBufferPointer {
                ConvolutionKernels.transposed(dy: dy, weight: w, outChannels: 4, geometry: g, x: $0.baseAddress!, chunkBytes: chunkBytes)
            }
            dw.withUnsafeMutableBufferPointer {
                ConvolutionKernels.weightGradient(x: x, dy: dy, outChannels: 4, geometry: g, dw: $0.baseAddress!, chunkBytes: chunkBytes)
            }
            return (y, dx, dw)
        }
        let whole = run(1 << 30), single = run(1)
        XCTAssertEqual(single.y, whole.y)
        XCTAssertEqual(single.dx, whole.dx)
        assertClose(single.dw, whole.dw, tolerance: 1e-4)
        let reference = naiveConv(Tensor(shape: [7, 3, 9, 8], scalars: x), Tensor(shape: [4, 3, 3, 3], scalars: w), stride: 2, padding: 1)
        assertClose(single.y, reference, tolerance: 1e-4)
    }
}
