/// The im2col forward convolution of one image in bands of output rows, for layers whose column matrix
/// for a single image is larger than the chunk budget (Inception-v3's stem at 147×147 and 149×149, its 5×5
/// and 3×3 stride-2 layers): a band's columns, [C·kh·kw, R·W'], stay in cache, and its product
/// W[O, C·kh·kw] · columns goes straight into rows r₀ ..< r₀ + R of every output channel's plane (sgemm with
/// the plane as C's leading dimension), so nothing is copied back.
public enum BandedConvolution {
    /// Output rows per band: as many as keep the band's columns within `chunkBytes`, at least one.
    public static func bandRows(_ g: ConvGeometry, chunkBytes: Int) -> Int {
        max(1, min(g.outputHeight, chunkBytes / max(1, g.patchSize * g.outputWidth * MemoryLayout<Float>.size)))
    }

    /// Whether one image's column matrix exceeds `chunkBytes` (so the chunked path would stream it through
    /// memory) for a convolution that needs one (not pointwise).
    public static func applies(to g: ConvGeometry, chunkBytes: Int) -> Bool {
        !ConvolutionKernels.isPointwise(g) && g.patchSize * g.outputPlane * MemoryLayout<Float>.size > chunkBytes
    }

    /// y[O, H'·W'] of one image (geometry `g` with batch 1) = W · im2col(x), band by band, with the bias and
    /// `rectified`'s leaky ReLU (slope s: y > 0 ? y : s·y) applied to each band while it is in cache.
    /// `columns` holds patchSize · bandRows · W' floats.
    static func forwardImage(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                             outChannels: Int, geometry g: ConvGeometry, bandRows: Int, rectified: Float?,
                             columns: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let (outH, outW, plane) = (g.outputHeight, g.outputWidth, g.outputPlane)
        for first in stride(from: 0, to: outH, by: bandRows) {
            let rows = first..<min(outH, first + bandRows)
            let width = rows.count * outW
            im2colRows(x, g, rows: rows, into: columns)
            let output = y + first * outW
            GEMM.multiply(m: outChannels, n: width, k: g.patchSize, a: weight, lda: g.patchSize,
                          b: columns, ldb: width, c: output, ldc: plane)
            for o in 0..<outChannels {
                let run = output + o * plane
                if let bias { let value = bias[o]; for l in 0..<width { run[l] += value } }
                if let slope = rectified { ConvolutionKernels.rectify(run, count: width, slope: slope) }
            }
        }
    }

    /// col[(c·kh+i)·kw+j, (oh − r₀)·W' + ow] = x[c, oh·s−ph+i, ow·s−pw+j] for the output rows oh in `rows` of
    /// one image (0 outside it): im2col restricted to a band.
    static func im2colRows(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        let (outW, kh, kw, s) = (g.outputWidth, g.kernelHeight, g.kernelWidth, g.stride)
        let width = rows.count * outW
        for c in 0..<g.channels {
            let source = x + c * g.height * g.width
            for i in 0..<kh {
                for j in 0..<kw {
                    let columns = g.validRange(offset: j, padding: g.paddingWidth, extent: g.width, outputs: outW)
                    let destination = col + ((c * kh + i) * kw + j) * width
                    let firstColumn = j - g.paddingWidth
                    for oh in rows {
                        let outputRow = destination + (oh - rows.lowerBound) * outW
                        let inputRowIndex = oh * s - g.paddingHeight + i
                        guard inputRowIndex >= 0 && inputRowIndex < g.height else {
                            outputRow.update(repeating: 0, count: outW)
                            continue
                        }
                        let inputRow = source + inputRowIndex * g.width + firstColumn
                        for ow in 0..<columns.lowerBound { outputRow[ow] = 0 }
                        for ow in columns.upperBound..<outW { outputRow[ow] = 0 }
                        if s == 1 {
                            (outputRow + columns.lowerBound).update(from: inputRow + columns.lowerBound, count: columns.count)
                        } else {
                            for ow in columns { outputRow[ow] = inputRow[ow * s] }
                        }
                    }
                }
            }
        }
    }
}
