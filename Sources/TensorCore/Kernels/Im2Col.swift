/// Geometry of a 2-D convolution over NCHW input: a kh×kw kernel, one stride for both axes, and
/// zero padding ph rows above and below, pw columns left and right.
public struct ConvGeometry: Equatable, Sendable {
    public let batch, channels, height, width: Int
    public let kernelHeight, kernelWidth, stride, paddingHeight, paddingWidth: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, kernel: (Int, Int), stride: Int, padding: (Int, Int)) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        (kernelHeight, kernelWidth) = kernel
        self.stride = stride
        (paddingHeight, paddingWidth) = padding
    }

    /// A square k×k kernel with padding p on every side.
    public init(batch: Int, channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        self.init(batch: batch, channels: channels, height: height, width: width,
                  kernel: (kernel, kernel), stride: stride, padding: (padding, padding))
    }

    /// H' = ⌊(H + 2·ph − kh) / s⌋ + 1
    public var outputHeight: Int { (height + 2 * paddingHeight - kernelHeight) / stride + 1 }
    /// W' = ⌊(W + 2·pw − kw) / s⌋ + 1
    public var outputWidth: Int { (width + 2 * paddingWidth - kernelWidth) / stride + 1 }
    /// Output positions per image, L = H'·W'.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// Rows of the column matrix, C·kh·kw.
    public var patchSize: Int { channels * kernelHeight * kernelWidth }

    /// The output positions o whose input position `o·s − padding + offset` lies inside [0, extent).
    @inline(__always)
    func validRange(offset: Int, padding: Int, extent: Int, outputs: Int) -> Range<Int> {
        let shift = padding - offset
        let low = Swift.min(outputs, shift > 0 ? (shift + stride - 1) / stride : 0)
        let top = extent - 1 + shift
        let high = top < 0 ? 0 : min(outputs, top / stride + 1)
        return low..<max(low, high)
    }
}

/// im2col and its adjoint col2im. The column matrix is [C·kh·kw, N·L]: row (c·kh + i)·kw + j holds,
/// for every image n and output position (oh, ow), the input x[n, c, oh·s − ph + i, ow·s − pw + j]
/// (0 outside the image). One GEMM with the [O, C·kh·kw] weight matrix then convolves the whole batch.
public enum Im2Col {
    /// col[(c·kh+i)·kw+j, n·L + oh·W' + ow] = x[n, c, oh·s−ph+i, ow·s−pw+j]
    /// With `parallel`, the images and channels are spread over the workers. Stride 1 copies runs of rows;
    /// other strides go through `TapTable`.
    public static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into col: UnsafeMutablePointer<Float>,
                              parallel: Bool = true) {
        if g.stride > 1 { return TapTable(g).im2col(x, into: col, parallel: parallel) }
        let (plane, outW, outH, kh, kw) = (g.outputPlane, g.outputWidth, g.outputHeight, g.kernelHeight, g.kernelWidth)
        let rowLength = g.batch * plane
        Parallel.forEach(g.batch * g.channels, work: parallel ? g.batch * g.patchSize * plane : 0) { nc in
            let n = nc / g.channels, c = nc % g.channels
            let source = x + nc * g.height * g.width
            for i in 0..<kh {
                let rows = g.validRange(offset: i, padding: g.paddingHeight, extent: g.height, outputs: outH)
                for j in 0..<kw {
                    let columns = g.validRange(offset: j, padding: g.paddingWidth, extent: g.width, outputs: outW)
                    let destination = col + ((c * kh + i) * kw + j) * rowLength + n * plane
                    // Zero only what falls in the padding: whole rows above and below, edges of the rest.
                    destination.update(repeating: 0, count: rows.lowerBound * outW)
                    (destination + rows.upperBound * outW).update(repeating: 0, count: (outH - rows.upperBound) * outW)
                    let firstColumn = j - g.paddingWidth
                    for oh in rows {
                        let inputRow = source + (oh - g.paddingHeight + i) * g.width
                        let outputRow = destination + oh * outW
                        for ow in 0..<columns.lowerBound { outputRow[ow] = 0 }
                        for ow in columns.upperBound..<outW { outputRow[ow] = 0 }
                        (outputRow + columns.lowerBound).update(from: inputRow + columns.lowerBound + firstColumn, count: columns.count)
                    }
                }
            }
        }
    }

    /// The adjoint of im2col: x[n, c, ih, iw] = Σ of every column entry that im2col copied from there.
    /// `x` is overwritten. Stride 1 adds runs of rows; other strides go through `TapTable`.
    public static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, into x: UnsafeMutablePointer<Float>,
                              parallel: Bool = true) {
        if g.stride > 1 { return TapTable(g).col2im(col, into: x, parallel: parallel) }
        let (plane, outW, outH, kh, kw) = (g.outputPlane, g.outputWidth, g.outputHeight, g.kernelHeight, g.kernelWidth)
        let rowLength = g.batch * plane
        Parallel.forEach(g.batch * g.channels, work: parallel ? g.batch * g.patchSize * plane : 0) { nc in
            let n = nc / g.channels, c = nc % g.channels
            let target = x + nc * g.height * g.width
            target.update(repeating: 0, count: g.height * g.width)
            for i in 0..<kh {
                let rows = g.validRange(offset: i, padding: g.paddingHeight, extent: g.height, outputs: outH)
                for j in 0..<kw {
                    let columns = g.validRange(offset: j, padding: g.paddingWidth, extent: g.width, outputs: outW)
                    let source = col + ((c * kh + i) * kw + j) * rowLength + n * plane
                    let firstColumn = j - g.paddingWidth
                    for oh in rows {
                        let inputRow = target + (oh - g.paddingHeight + i) * g.width + firstColumn
                        let outputRow = source + oh * outW
                        for ow in columns { inputRow[ow] += outputRow[ow] }
                    }
                }
            }
        }
    }

    /// [A, B·L] → [B, A, L]: moves a GEMM result laid out channel-major back to NCHW (or the reverse
    /// with `inverse`), copying contiguous runs of L.
    public static func swapLeadingAxes(_ source: UnsafePointer<Float>, a: Int, b: Int, run: Int,
                                       into destination: UnsafeMutablePointer<Float>, inverse: Bool = false,
                                       parallel: Bool = true) {
        Parallel.forEach(b, work: parallel ? a * b * run : 0) { j in
            for i in 0..<a {
                let channelMajor = (i * b + j) * run, batchMajor = (j * a + i) * run
                if inverse {
                    (destination + channelMajor).update(from: source + batchMajor, count: run)
                } else {
                    (destination + batchMajor).update(from: source + channelMajor, count: run)
                }
            }
        }
    }
}

/// im2col and col2im for strided convolutions, whose rows cannot be copied as runs: a table gives, for
/// every kernel tap t = i·kw + j and output position l, where in the plane that tap reads, counting from
/// 1 (0 marks padding). Each plane is copied behind a zero, so a column row is one branch-free gather,
/// scratch[index[t·L + l]], and col2im is the matching scatter-add.
struct TapTable {
    let g: ConvGeometry
    let index: [Int32]

    init(_ g: ConvGeometry) {
        self.g = g
        let (outH, outW) = (g.outputHeight, g.outputWidth)
        var index = [Int32](repeating: 0, count: g.kernelHeight * g.kernelWidth * outH * outW)
        var position = 0
        for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
                for oh in 0..<outH {
                    let r = oh * g.stride - g.paddingHeight + i
                    for ow in 0..<outW {
                        let q = ow * g.stride - g.paddingWidth + j
                        if r >= 0, r < g.height, q >= 0, q < g.width { index[position] = Int32(r * g.width + q + 1) }
                        position += 1
                    }
                }
            }
        }
        self.index = index
    }

    func im2col(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>, parallel: Bool) {
        let (plane, size) = (g.outputPlane, g.height * g.width)
        forEachPlane(parallel: parallel) { nc, scratch, taps in
            scratch[0] = 0
            (scratch + 1).update(from: x + nc * size, count: size)
            for t in 0..<taps.count {
                let destination = col + taps.block(t), row = taps.row(t)
                for l in 0..<plane { destination[l] = scratch[Int(row[l])] }
            }
        }
    }

    func col2im(_ col: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, parallel: Bool) {
        let (plane, size) = (g.outputPlane, g.height * g.width)
        forEachPlane(parallel: parallel) { nc, scratch, taps in
            scratch.update(repeating: 0, count: size + 1)
            for t in 0..<taps.count {
                let source = col + taps.block(t), row = taps.row(t)
                for l in 0..<plane { scratch[Int(row[l])] += source[l] }
            }
            (x + nc * size).update(from: scratch + 1, count: size)
        }
    }

    /// One plane's taps: tap t's column block starts at (c·taps + t)·N·L + n·L and reads table row t.
    struct PlaneTaps {
        let count, first, blockStride, plane: Int
        let table: UnsafePointer<Int32>
        @inline(__always) func block(_ t: Int) -> Int { first + t * blockStride }
        @inline(__always) func row(_ t: Int) -> UnsafePointer<Int32> { table + t * plane }
    }

    /// Calls `body(nc, scratch, taps)` for every image-channel plane nc = n·C + c, with a scratch of
    /// H·W + 1 floats.
    @inline(__always)
    private func forEachPlane(parallel: Bool, _ body: (Int, UnsafeMutablePointer<Float>, PlaneTaps) -> Void) {
        let (plane, taps, size) = (g.outputPlane, g.kernelHeight * g.kernelWidth, g.height * g.width)
        let rowLength = g.batch * plane
        index.withUnsafeBufferPointer { table in
            let table = table.baseAddress!
            Parallel.forEach(g.batch * g.channels, work: parallel ? g.batch * g.patchSize * plane : 0) { nc in
                let n = nc / g.channels, c = nc % g.channels
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: size + 1)
                defer { scratch.deallocate() }
                body(nc, scratch, PlaneTaps(count: taps, first: c * taps * rowLength + n * plane, blockStride: rowLength,
                                            plane: plane, table: table))
            }
        }
    }
}
