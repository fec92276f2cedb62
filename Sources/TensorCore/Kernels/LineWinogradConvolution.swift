/// Forward 7×1 and 1×7 stride-1 convolutions with "same" padding (Inception-v3's factorised 7×7 layers) by
/// Winograd F(2, 7) along the kernel's axis: two outputs of a seven-tap filter from eight inputs with eight
/// multiplies instead of fourteen, y = Aᵀ[(G g) ⊙ (Bᵀ d)], on the points 0, ±1, ±2, ±½ and ∞ (the
/// Toom–Cook construction, as wincnn builds it; float32 error ~1e-7 relative on 192-channel sums, like
/// direct summation's).
///
/// For a 7×1 kernel, output rows 2t and 2t + 1 of a plane read input rows 2t − 3 … 2t + 4, so every transform
/// is a combination of whole rows: V[ξ][c, t·W + x] = Σⱼ Bᵀ[ξ][j] · x[c, 2t − 3 + j, x] (rows outside the
/// plane are 0), then eight sgemms M[ξ] = U[ξ] · V[ξ] with U[ξ][o, c] = Σₖ G[ξ][k] · w[o, c, k], and
/// y[o, 2t + i, x] = Σ_ξ Aᵀ[i][ξ] · M[ξ][o, t·W + x] + b[o]. A 1×7 kernel runs the same on transposed planes.
/// Images go one per chunk on the workers (`ConvolutionKernels.forEachChunk`). Forward only: nothing trains
/// such a layer here, and the gradients stay on im2col.
public enum LineWinogradConvolution {
    /// Bᵀ (8×8), row ξ: the input transform.
    static let inputTransform: [[Float]] = [
        [-1, 0, 5.25, 0, -5.25, 0, 1, 0],
        [0, 1, 1, -4.25, -4.25, 1, 1, 0],
        [0, -1, 1, 4.25, -4.25, -1, 1, 0],
        [0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0],
        [0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0],
        [0, 2, 4, -2.5, -5, 0.5, 1, 0],
        [0, -2, 4, 2.5, -5, -0.5, 1, 0],
        [0, -1, 0, 5.25, 0, -5.25, 0, 1],
    ]
    /// G (8×7), row ξ: the weight transform (exact fractions, rounded once to float).
    static let weightTransform: [[Float]] = {
        let ninth = -2.0 / 9, small = 1.0 / 90, large = 32.0 / 45
        let rows: [[Double]] = [
            [-1, 0, 0, 0, 0, 0, 0],
            Array(repeating: ninth, count: 7),
            (0..<7).map { $0 % 2 == 0 ? ninth : -ninth },
            (0..<7).map { small * Double(1 << $0) },
            (0..<7).map { small * Double(1 << $0) * ($0 % 2 == 0 ? 1 : -1) },
            (0..<7).map { large / Double(1 << $0) },
            (0..<7).map { large / Double(1 << $0) * ($0 % 2 == 0 ? 1 : -1) },
            [0, 0, 0, 0, 0, 0, 1],
        ]
        return rows.map { $0.map(Float.init) }
    }()
    /// Aᵀ (2×8): the output transform.
    static let outputTransform: [[Float]] = [[1, 1, 1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0.5, -0.5, 1]]
    static let positions = 8
    /// Fewer input channels leave the sgemms too thin to gain.
    static let minimumChannels = 8

    /// Whether geometry `g` runs here: a 7×1 kernel with padding (3, 0) or a 1×7 kernel with padding (0, 3),
    /// stride 1, at least 8 input channels.
    public static func applies(to g: ConvGeometry) -> Bool {
        let vertical = g.kernelHeight == 7 && g.kernelWidth == 1 && g.paddingHeight == 3 && g.paddingWidth == 0
        let horizontal = g.kernelHeight == 1 && g.kernelWidth == 7 && g.paddingHeight == 0 && g.paddingWidth == 3
        return (vertical || horizontal) && g.stride == 1 && g.channels >= minimumChannels
    }

    /// y[N, O, H, W] = conv2d(x, w) + b for w [O, C, 7, 1] or [O, C, 1, 7] (`rectified` = s: then y > 0 ? y : s·y).
    public static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               outChannels: Int, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>, rectified: Float?) {
        precondition(applies(to: g), "line Winograd needs a 7×1 or 1×7 stride-1 kernel with same padding and ≥ 8 channels; got \(g)")
        let transposed = g.kernelHeight == 1
        // The plane as the vertical algorithm sees it: rows along the kernel's axis.
        let (rows, columns) = transposed ? (g.width, g.height) : (g.height, g.width)
        let tiles = (rows + 1) / 2, n = tiles * columns, plane = rows * columns
        let u = transformedWeights(weight, outChannels: outChannels, channels: g.channels)
        defer { u.deallocate() }
        let perImage = positions * (g.channels + outChannels) * n + (transposed ? (g.channels + outChannels) * plane : 0)
        ConvolutionKernels.forEachChunk(g, chunk: 1, groups: Parallel.workerCount, scratchA: perImage, scratchB: 0) { _, start, _, scratch, _ in
            let v = scratch, m = v + positions * g.channels * n
            var input = x + start * g.channels * plane, output = y + start * outChannels * plane
            let transposedInput = m + positions * outChannels * n, transposedOutput = transposedInput + g.channels * plane
            if transposed {
                transposePlanes(input, count: g.channels, rows: g.height, columns: g.width, into: transposedInput)
                input = UnsafePointer(transposedInput)
                output = transposedOutput
            }
            transformInput(input, channels: g.channels, rows: rows, columns: columns, into: v)
            for xi in 0..<positions {
                GEMM.multiply(m: outChannels, n: n, k: g.channels, a: u + xi * outChannels * g.channels,
                              b: v + xi * g.channels * n, c: m + xi * outChannels * n)
            }
            transformOutput(m, outChannels: outChannels, rows: rows, columns: columns, bias: bias, into: output)
            if transposed {
                let target = y + start * outChannels * plane
                transposePlanes(transposedOutput, count: outChannels, rows: rows, columns: columns, into: target)
            }
            if let slope = rectified {
                ConvolutionKernels.rectify(y + start * outChannels * plane, count: outChannels * plane, slope: slope)
            }
        }
    }

    /// U[ξ][o, c] = Σₖ G[ξ][k] · w[o, c, k] (the seven taps of w [O, C, 7, 1] or [O, C, 1, 7] are contiguous);
    /// the caller deallocates.
    static func transformedWeights(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int) -> UnsafeMutablePointer<Float> {
        let pairs = outChannels * channels
        let u = UnsafeMutablePointer<Float>.allocate(capacity: positions * pairs)
        for xi in 0..<positions {
            let coefficients = weightTransform[xi], target = u + xi * pairs
            for pair in 0..<pairs {
                let taps = w + pair * 7
                var sum: Float = 0
                for k in 0..<7 { sum += coefficients[k] * taps[k] }
                target[pair] = sum
            }
        }
        return u
    }

    /// V[ξ][c, t·columns + x] = Σⱼ Bᵀ[ξ][j] · x[c, 2t − 3 + j, x] over rows inside the plane (the rows outside
    /// read `zeros`): Bᵀ's rows written out, one pass over a tile's eight rows per channel.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, rows: Int, columns: Int, into v: UnsafeMutablePointer<Float>) {
        let tiles = (rows + 1) / 2, n = tiles * columns, xiStride = channels * n
        let zeros = UnsafeMutablePointer<Float>.allocate(capacity: columns)
        zeros.initialize(repeating: 0, count: columns)
        defer { zeros.deallocate() }
        for c in 0..<channels {
            let plane = x + c * rows * columns
            for t in 0..<tiles {
                func row(_ j: Int) -> UnsafePointer<Float> {
                    let r = 2 * t - 3 + j
                    return r >= 0 && r < rows ? plane + r * columns : UnsafePointer(zeros)
                }
                let (d0, d1, d2, d3, d4, d5, d6, d7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
                let out = v + c * n + t * columns
                for k in 0..<columns {
                    let (a1, a2, a3, a4, a5, a6) = (d1[k], d2[k], d3[k], d4[k], d5[k], d6[k])
                    out[k] = (a6 - d0[k]) + 5.25 * (a2 - a4)
                    out[k + xiStride] = (a1 + a2) + (a5 + a6) - 4.25 * (a3 + a4)
                    out[k + 2 * xiStride] = (a2 - a1) + (a6 - a5) + 4.25 * (a3 - a4)
                    out[k + 3 * xiStride] = 0.5 * a1 + 0.25 * a2 - 2.5 * a3 - 1.25 * a4 + 2 * a5 + a6
                    out[k + 4 * xiStride] = -0.5 * a1 + 0.25 * a2 + 2.5 * a3 - 1.25 * a4 - 2 * a5 + a6
                    out[k + 5 * xiStride] = 2 * a1 + 4 * a2 - 2.5 * a3 - 5 * a4 + 0.5 * a5 + a6
                    out[k + 6 * xiStride] = -2 * a1 + 4 * a2 + 2.5 * a3 - 5 * a4 - 0.5 * a5 + a6
                    out[k + 7 * xiStride] = (d7[k] - a1) + 5.25 * (a3 - a5)
                }
            }
        }
    }

    /// y[o, 2t + i, x] = Σ_ξ Aᵀ[i][ξ] · M[ξ][o, t·columns + x] + b[o], for the rows inside the plane: Aᵀ's two
    /// rows written out.
    static func transformOutput(_ m: UnsafePointer<Float>, outChannels: Int, rows: Int, columns: Int, bias: UnsafePointer<Float>?,
                                into y: UnsafeMutablePointer<Float>) {
        let tiles = (rows + 1) / 2, n = tiles * columns, xiStride = outChannels * n
        for o in 0..<outChannels {
            let offset = bias?[o] ?? 0
            for t in 0..<tiles {
                let source = m + o * n + t * columns, top = y + (o * rows + 2 * t) * columns, bottom = top + columns
                for k in 0..<columns {
                    top[k] = source[k] + (source[k + xiStride] + source[k + 2 * xiStride]) + (source[k + 3 * xiStride] + source[k + 4 * xiStride])
                        + (source[k + 5 * xiStride] + source[k + 6 * xiStride]) + offset
                }
                guard 2 * t + 1 < rows else { continue }  // an odd plane's last tile has one row inside
                for k in 0..<columns {
                    bottom[k] = (source[k + xiStride] - source[k + 2 * xiStride]) + 2 * (source[k + 3 * xiStride] - source[k + 4 * xiStride])
                        + 0.5 * (source[k + 5 * xiStride] - source[k + 6 * xiStride]) + source[k + 7 * xiStride] + offset
                }
            }
        }
    }

    /// target[p, j, i] = source[p, i, j] for `count` planes of rows × columns.
    static func transposePlanes(_ source: UnsafePointer<Float>, count: Int, rows: Int, columns: Int,
                                into target: UnsafeMutablePointer<Float>) {
        let plane = rows * columns
        for p in 0..<count {
            let from = source + p * plane, to = target + p * plane
            for i in 0..<rows { for j in 0..<columns { to[j * rows + i] = from[i * columns + j] } }
        }
    }
}
