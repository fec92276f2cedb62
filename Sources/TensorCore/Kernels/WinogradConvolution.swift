/// 3×3 stride-1 convolutions by Winograd F(4×4, 3×3): each chunk of images is transformed into 36
/// matrices V[ξ] [C, tiles], multiplied by the transformed weights U[ξ] [O, C] in 36 sgemms, and
/// transformed back. 36 multiplies per 4×4 tile instead of 144; the results differ from im2col's by a
/// few 1e-6 relative (rounding in the transforms). Chunks run on `ConvolutionKernels.forEachChunk`.
public enum WinogradConvolution {
    /// Bytes of transformed input and product per chunk: twice this machine's L2 cache per core, within
    /// 1–8 MiB. Measured on an AMD EPYC (1 MiB L2; BigGAN's step, 2026-12-02): budgets of 1, 2 and 4 MiB
    /// ran it at 0.25–0.30 it/s, 8 MiB (3 images of a 32×32 128-to-128 layer per chunk instead of one) at
    /// 0.21–0.24. The weight gradient's partial sums follow the chunks, so its rounding depends on this
    /// budget (not on the core count).
    public static let defaultChunkBytes = min(8 << 20, max(1 << 20, 2 * CacheSize.level2Bytes))

    /// Whether a convolution of geometry `g` can run here (3×3 kernel, stride 1).
    public static func applies(to g: ConvGeometry) -> Bool { WinogradTiling.applies(to: g) }

    /// Whether Winograd pays off: with fewer than 8 input channels the transforms outweigh the thin sgemms
    /// (BigGAN's RGB input layer: forward 148 → 126 ms, weight gradient 154 → 90 ms over two steps by im2col;
    /// its 128 → 3 output layer stays faster by Winograd, 122 against 250 ms).
    static func worthwhile(_ g: ConvGeometry) -> Bool { g.channels >= 8 }

    /// The transposed convolution of `g` is a convolution of the output gradient with the flipped
    /// weight and padding 2 − p, so it runs here when that padding is not negative.
    public static func appliesTransposed(to g: ConvGeometry) -> Bool {
        applies(to: g) && g.paddingHeight <= 2 && g.paddingWidth <= 2
    }

    /// Images per chunk: as many as fit `chunkBytes` of transformed input and product, but no more than
    /// an equal share of the batch for each of `groups`, so that small planes still keep every core busy.
    static func imagesPerChunk(_ tiling: WinogradTiling, rows: Int, chunkBytes: Int, groups: Int) -> Int {
        let batch = tiling.geometry.batch
        let bytesPerImage = WinogradTiling.positions * rows * tiling.tilesPerImage * MemoryLayout<Float>.size
        return max(1, min((batch + groups - 1) / groups, chunkBytes / max(1, bytesPerImage)))
    }

    /// y[N, O, H', W'] = conv2d(x, w) + b as in `ConvolutionKernels.forward` (`rectified` = s: then
    /// y > 0 ? y : s·y on each chunk), for w [O, C, 3, 3].
    public static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>? = nil,
                               outChannels: Int, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>,
                               chunkBytes: Int = defaultChunkBytes, rectified: Float? = nil) {
        let tiling = WinogradTiling(g)
        let (channels, tilesPerImage) = (g.channels, tiling.tilesPerImage)
        let positions = WinogradTiling.positions
        let u = UnsafeMutablePointer<Float>.allocate(capacity: positions * outChannels * channels)
        defer { u.deallocate() }
        WinogradTiling.transformWeight(weight, outChannels: outChannels, channels: channels, into: u)
        let chunk = imagesPerChunk(tiling, rows: channels + outChannels, chunkBytes: chunkBytes, groups: ConvolutionKernels.batchShares)
        // The product keeps one vector of slack after it for the output transform's last loads.
        let transformed = positions * (channels * tilesPerImage + 16)
        let product = positions * (outChannels * tilesPerImage + 16) + WinogradTiling.lanes
        let imageSize = channels * g.height * g.width, outputSize = outChannels * g.outputPlane
        ConvolutionKernels.forEachChunk(g, chunk: chunk, groups: Parallel.workerCount,
                                        scratchA: transformed + tiling.planeScratch, scratchB: product) { _, start, c, v, m in
            let tiles = c.batch * tilesPerImage, scratch = v + chunk * transformed
            let (vStride, mStride) = (WinogradTiling.positionStride(rows: channels, columns: tiles),
                                      WinogradTiling.positionStride(rows: outChannels, columns: tiles))
            tiling.transformInput(x + start * imageSize, images: c.batch, tiles: tiles, into: v, scratch: scratch)
            for xi in 0..<positions {
                GEMM.multiply(m: outChannels, n: tiles, k: channels, a: u + xi * outChannels * channels,
                              b: v + xi * vStride, c: m + xi * mStride)
            }
            tiling.transformOutput(m, images: c.batch, tiles: tiles, outChannels: outChannels, bias: bias,
                                   into: y + start * outputSize, scratch: scratch)
            if let slope = rectified {
                ConvolutionKernels.rectify(y + start * outputSize, count: c.batch * outputSize, slope: slope)
            }
        }
    }

    /// x̄ = convTranspose2d(dy, w) as in `ConvolutionKernels.transposed`: the convolution of dy with
    /// w̃[c, o, a, b] = w[o, c, 2 − a, 2 − b] and padding (2 − ph, 2 − pw).
    public static func transposed(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                                  geometry g: ConvGeometry, x: UnsafeMutablePointer<Float>,
                                  chunkBytes: Int = defaultChunkBytes) {
        precondition(appliesTransposed(to: g), "Winograd transposed convolution needs 3×3, stride 1, padding ≤ 2; got \(g)")
        let channels = g.channels
        let flipped = UnsafeMutablePointer<Float>.allocate(capacity: outChannels * channels * 9)
        defer { flipped.deallocate() }
        for o in 0..<outChannels {
            for c in 0..<channels {
                let source = weight + (o * channels + c) * 9, target = flipped + (c * outChannels + o) * 9
                for tap in 0..<9 { target[tap] = source[8 - tap] }
            }
        }
        let gradientGeometry = ConvGeometry(batch: g.batch, channels: outChannels, height: g.outputHeight,
                                            width: g.outputWidth, kernel: (3, 3), stride: 1,
                                            padding: (2 - g.paddingHeight, 2 - g.paddingWidth))
        forward(x: dy, weight: flipped, outChannels: channels, geometry: gradientGeometry, y: x, chunkBytes: chunkBytes)
    }

    /// dW[O, C, 3, 3] = Gᵀ (Σ_chunks dM[ξ] · V[ξ]ᵀ) G, the exact adjoint of `forward` in w; the sum over
    /// chunks is `ConvolutionKernels.sumOverChunks` (fixed group order: results do not depend on the core
    /// count).
    public static func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, outChannels: Int,
                                      geometry g: ConvGeometry, dw: UnsafeMutablePointer<Float>,
                                      chunkBytes: Int = defaultChunkBytes) {
        let tiling = WinogradTiling(g)
        let (channels, tilesPerImage) = (g.channels, tiling.tilesPerImage)
        let positions = WinogradTiling.positions
        let chunk = imagesPerChunk(tiling, rows: channels + outChannels, chunkBytes: chunkBytes,
                                   groups: ConvolutionKernels.accumulationGroups)
        let transformed = positions * (channels * tilesPerImage + 16), product = positions * (outChannels * tilesPerImage + 16)
        let imageSize = channels * g.height * g.width, outputSize = outChannels * g.outputPlane
        let size = positions * outChannels * channels
        let du = UnsafeMutablePointer<Float>.allocate(capacity: size)
        defer { du.deallocate() }
        ConvolutionKernels.sumOverChunks(g, chunk: chunk, size: size, scratchA: transformed + tiling.planeScratch,
                                         scratchB: product, into: du) { start, c, v, dm, partial, accumulate in
            let tiles = c.batch * tilesPerImage, scratch = v + chunk * transformed
            let (vStride, mStride) = (WinogradTiling.positionStride(rows: channels, columns: tiles),
                                      WinogradTiling.positionStride(rows: outChannels, columns: tiles))
            tiling.transformInput(x + start * imageSize, images: c.batch, tiles: tiles, into: v, scratch: scratch)
            tiling.transformOutputGradient(dy + start * outputSize, images: c.batch, tiles: tiles,
                                           outChannels: outChannels, into: dm, scratch: scratch)
            for xi in 0..<positions {
                GEMM.multiply(m: outChannels, n: channels, k: tiles, a: dm + xi * mStride,
                              b: v + xi * vStride, transposeB: true, accumulate: accumulate,
                              c: partial + xi * outChannels * channels)
            }
        }
        WinogradTiling.inverseTransformWeightGradient(du, outChannels: outChannels, channels: channels, into: dw)
    }
}
