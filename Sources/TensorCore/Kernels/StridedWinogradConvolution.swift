/// 4×4 stride-2 convolutions with padding 1 (DCGAN's down and up layers) by Winograd F(2×2, 2×2) on the
/// space-to-depth input (`StridedWinogradTiling`): each chunk of images becomes 9 matrices V[ξ] [4C, tiles]
/// (stored transposed), multiplied by U[ξ] [O, 4C] in 9 sgemms, and is transformed back: 9·4C multiplies per 2×2 output tile and
/// output channel instead of 16·4C. The input gradient and the weight gradient are the exact adjoints
/// (dVᵀ[ξ] = dMᵀ[ξ] U[ξ], then the input transform's adjoint; dU[ξ] = Σ dM[ξ] V[ξ]ᵀ, then the weight
/// transform's), with the output gradient's transform dM stored transposed. Chunks run on `ConvolutionKernels.forEachChunk`.
public enum StridedWinogradConvolution {
    /// Bytes of transformed input and product per chunk (as `WinogradConvolution`'s: a choice, not tuned).
    public static let defaultChunkBytes = 8 << 20
    /// Fewer channels on either side leave the sgemms too thin to gain (DCGAN's 1-channel layers).
    static let minimumChannels = 8

    /// Whether a convolution of geometry `g` with `outChannels` outputs runs here: 4×4 kernel, stride 2,
    /// padding 1, even plane, at least 8 channels in and out. Its transpose runs here under the same condition.
    public static func applies(to g: ConvGeometry, outChannels: Int) -> Bool {
        StridedWinogradTiling.applies(to: g) && g.channels >= minimumChannels && outChannels >= minimumChannels
    }

    /// Images per chunk: as many as fit `chunkBytes` of transformed input and product, at most an equal
    /// share of the batch for each of `groups`.
    static func imagesPerChunk(_ tiling: StridedWinogradTiling, outChannels: Int, chunkBytes: Int, groups: Int) -> Int {
        let batch = tiling.geometry.batch
        let rows = 4 * tiling.geometry.channels + outChannels
        let floats = StridedWinogradTiling.positions * rows * tiling.tilesPerImage + tiling.paddedScratch
        let bytesPerImage = floats * MemoryLayout<Float>.size
        return max(1, min((batch + groups - 1) / groups, chunkBytes / max(1, bytesPerImage)))
    }

    /// y[N, O, H/2, W/2] = conv2d(x, w, stride 2, padding 1) + b for w [O, C, 4, 4] (`rectified`: then
    /// max(·, 0) on each chunk).
    public static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>? = nil,
                               outChannels: Int, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>,
                               chunkBytes: Int = defaultChunkBytes, rectified: Bool = false) {
        forEachTransformedChunk(g, weight: weight, outChannels: outChannels, chunkBytes: chunkBytes) { chunk, u, v, m in
            chunk.tiling.transformInput(x + chunk.start * chunk.imageSize, images: chunk.images, into: v, padded: chunk.padded)
            for xi in 0..<9 {
                GEMM.multiply(m: outChannels, n: chunk.tiles, k: chunk.rows, a: u + xi * stride(outChannels, chunk.rows),
                              b: v + xi * chunk.vStride, transposeB: true, c: m + xi * chunk.mStride)
            }
            chunk.tiling.transformOutput(m, images: chunk.images, outChannels: outChannels, bias: bias,
                                         into: y + chunk.start * chunk.outputSize)
            if rectified { ConvolutionKernels.rectify(y + chunk.start * chunk.outputSize, count: chunk.images * chunk.outputSize) }
        }
    }

    /// x̄[N, C, H, W], the adjoint of `forward` in x (convTranspose2d of dy [N, O, H/2, W/2]).
    public static func transposed(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                                  geometry g: ConvGeometry, x: UnsafeMutablePointer<Float>,
                                  chunkBytes: Int = defaultChunkBytes) {
        forEachTransformedChunk(g, weight: weight, outChannels: outChannels, chunkBytes: chunkBytes) { chunk, u, dv, dm in
            chunk.tiling.transformOutputGradient(dy + chunk.start * chunk.outputSize, images: chunk.images,
                                                 outChannels: outChannels, into: dm)
            for xi in 0..<9 {
                GEMM.multiply(m: chunk.tiles, n: chunk.rows, k: outChannels, a: dm + xi * chunk.mStride,
                              b: u + xi * stride(outChannels, chunk.rows), c: dv + xi * chunk.vStride)
            }
            chunk.tiling.transformInputAdjoint(dv, images: chunk.images, into: x + chunk.start * chunk.imageSize,
                                               padded: chunk.padded)
        }
    }

    /// Where a chunk is and how its matrices are laid out.
    struct Chunk {
        let tiling: StridedWinogradTiling
        let start, images, rows, tiles, vStride, mStride, imageSize, outputSize: Int
        /// Scratch for the chunk's padded planes.
        let padded: UnsafeMutablePointer<Float>
    }

    /// Runs `body(chunk, U, V scratch, M scratch)` for every chunk of the batch on the workers, with the
    /// weight transformed once.
    private static func forEachTransformedChunk(_ g: ConvGeometry, weight: UnsafePointer<Float>, outChannels: Int, chunkBytes: Int,
                                                _ body: (Chunk, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                                                         UnsafeMutablePointer<Float>) -> Void) {
        let tiling = StridedWinogradTiling(g)
        let (rows, tilesPerImage) = (4 * g.channels, tiling.tilesPerImage)
        let u = transformedWeight(weight, outChannels: outChannels, channels: g.channels)
        defer { u.deallocate() }
        let chunk = imagesPerChunk(tiling, outChannels: outChannels, chunkBytes: chunkBytes, groups: ConvolutionKernels.batchShares)
        let transformed = 9 * (rows * tilesPerImage + 16), product = 9 * (outChannels * tilesPerImage + 16)
        ConvolutionKernels.forEachChunk(g, chunk: chunk, groups: Parallel.workerCount,
                                        scratchA: transformed + tiling.paddedScratch, scratchB: product) { _, start, c, v, m in
            let tiles = c.batch * tilesPerImage
            let layout = Chunk(tiling: tiling, start: start, images: c.batch, rows: rows, tiles: tiles,
                               vStride: stride(rows, tiles), mStride: stride(outChannels, tiles),
                               imageSize: g.channels * g.height * g.width, outputSize: outChannels * g.outputPlane,
                               padded: v + chunk * transformed)
            body(layout, u, v, m)
        }
    }

    /// dW[O, C, 4, 4], the adjoint of `forward` in w: the weight transform's adjoint of dU[ξ] = dM[ξ] V[ξ]ᵀ
    /// summed over every tile of the batch. The whole batch is transformed first (chunks on the workers),
    /// then each position's product runs as one sgemm over all tiles, in halves of the output channels
    /// spread over the workers: no partial sums to zero and add, and each entry is summed in one call, so
    /// the result does not depend on the core count.
    public static func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, outChannels: Int,
                                      geometry g: ConvGeometry, dw: UnsafeMutablePointer<Float>,
                                      chunkBytes: Int = defaultChunkBytes) {
        let tiling = StridedWinogradTiling(g)
        let (rows, tilesPerImage) = (4 * g.channels, tiling.tilesPerImage)
        let tiles = g.batch * tilesPerImage, (vStride, mStride) = (stride(rows, tiles), stride(outChannels, tiles))
        let v = UnsafeMutablePointer<Float>.allocate(capacity: 9 * vStride)
        let dm = UnsafeMutablePointer<Float>.allocate(capacity: 9 * mStride)
        let du = UnsafeMutablePointer<Float>.allocate(capacity: 9 * stride(outChannels, rows))
        defer { v.deallocate(); dm.deallocate(); du.deallocate() }
        let chunk = imagesPerChunk(tiling, outChannels: outChannels, chunkBytes: chunkBytes, groups: ConvolutionKernels.batchShares)
        let imageSize = g.channels * g.height * g.width, outputSize = outChannels * g.outputPlane
        ConvolutionKernels.forEachChunk(g, chunk: chunk, groups: Parallel.workerCount,
                                        scratchA: tiling.paddedScratch, scratchB: 0) { _, start, c, padded, _ in
            let first = start * tilesPerImage
            tiling.transformInput(x + start * imageSize, images: c.batch, tiles: tiles, into: v + first * rows, padded: padded)
            tiling.transformOutputGradient(dy + start * outputSize, images: c.batch, tiles: tiles, outChannels: outChannels,
                                           into: dm + first * outChannels)
        }
        let halves = 2
        Parallel.forEach(9 * halves) { task in
            let (xi, half) = task.quotientAndRemainder(dividingBy: halves)
            let (low, high) = (outChannels * half / halves, outChannels * (half + 1) / halves)
            GEMM.multiply(m: high - low, n: rows, k: tiles, a: dm + xi * mStride + low, lda: outChannels, transposeA: true,
                          b: v + xi * vStride, ldb: rows, c: du + xi * stride(outChannels, rows) + low * rows, ldc: rows)
        }
        StridedWinogradTiling.transformWeightGradientAdjoint(du, outChannels: outChannels, channels: g.channels, into: dw)
    }

    @inline(__always)
    private static func stride(_ rows: Int, _ columns: Int) -> Int { StridedWinogradTiling.positionStride(rows: rows, columns: columns) }

    /// U [9, O, 4C] for w [O, C, 4, 4]; the caller deallocates it.
    private static func transformedWeight(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int) -> UnsafeMutablePointer<Float> {
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 9 * stride(outChannels, 4 * channels))
        StridedWinogradTiling.transformWeight(weight, outChannels: outChannels, channels: channels, into: u)
        return u
    }
}
