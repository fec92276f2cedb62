/// 4×4 stride-2 convolutions with padding 1 (DCGAN's down and up layers) by Winograd on the space-to-depth
/// input: F(2×2, 2×2) (`StridedWinogradTiling`) or, for output planes of 8×8 and more, F(4×4, 2×2)
/// (`StridedWinogradLargeTiling`). Each chunk of images becomes P matrices V[ξ] [4C, tiles] (stored
/// transposed; P = 9 or 25 positions), multiplied by U[ξ] [O, 4C] in P sgemms, and is transformed back:
/// 9·4C multiplies per 2×2 output tile and output channel (25·4C per 4×4 tile) where a direct convolution
/// takes 16·4C (64·4C). The input gradient and the weight gradient are the exact adjoints (dVᵀ[ξ] =
/// dMᵀ[ξ] U[ξ], then the input transform's adjoint; dU[ξ] = Σ dM[ξ] V[ξ]ᵀ, then the weight transform's), with
/// the output gradient's transform dM stored transposed. Chunks run on `ConvolutionKernels.forEachChunk`.
public enum StridedWinogradConvolution {
    /// The Winograd tile: F(2×2, 2×2) (`small`) or F(4×4, 2×2) (`large`).
    public enum Tiles: Sendable {
        case small, large

        /// `large` where the output plane is at least 8×8 (four or more tiles per image), `small` otherwise.
        /// Measured on an Intel Xeon, one thread: DCGAN w32's 32 → 64 layer (16×16 → 8×8; forward and both
        /// gradients) 11.9 ms with large tiles against 13.2 ms; its 64 → 128 layer (8×8 → 4×4, one large
        /// tile per image, so each position's product has as many columns as the chunk has images) slower
        /// with them (forward 18.6 against 14.2 ms per step).
        public static func automatic(for g: ConvGeometry) -> Tiles {
            min(g.outputHeight, g.outputWidth) >= 8 ? .large : .small
        }
    }

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
    static func imagesPerChunk<T: SpaceToDepthTiling>(_ tiling: T, outChannels: Int, chunkBytes: Int, groups: Int) -> Int {
        let batch = tiling.geometry.batch
        let rows = 4 * tiling.geometry.channels + outChannels
        let floats = T.positions * rows * tiling.tilesPerImage + tiling.paddedScratch
        let bytesPerImage = floats * MemoryLayout<Float>.size
        return max(1, min((batch + groups - 1) / groups, chunkBytes / max(1, bytesPerImage)))
    }

    /// y[N, O, H/2, W/2] = conv2d(x, w, stride 2, padding 1) + b for w [O, C, 4, 4] (`rectified` = s: then
    /// y > 0 ? y : s·y on each chunk).
    public static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>? = nil,
                               outChannels: Int, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>,
                               chunkBytes: Int = defaultChunkBytes, rectified: Float? = nil, tiles: Tiles? = nil) {
        switch tiles ?? .automatic(for: g) {
        case .small: forward(StridedWinogradTiling.self, x: x, weight: weight, bias: bias, outChannels: outChannels, geometry: g,
                             y: y, chunkBytes: chunkBytes, rectified: rectified)
        case .large: forward(StridedWinogradLargeTiling.self, x: x, weight: weight, bias: bias, outChannels: outChannels, geometry: g,
                             y: y, chunkBytes: chunkBytes, rectified: rectified)
        }
    }

    private static func forward<T: SpaceToDepthTiling>(_: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                       bias: UnsafePointer<Float>?, outChannels: Int, geometry g: ConvGeometry,
                                                       y: UnsafeMutablePointer<Float>, chunkBytes: Int, rectified: Float?) {
        forEachTransformedChunk(T.self, g, weight: weight, outChannels: outChannels, chunkBytes: chunkBytes) { chunk, u, v, m in
            chunk.tiling.transformInput(x + chunk.start * chunk.imageSize, images: chunk.images, tiles: nil, into: v, padded: chunk.padded)
            for xi in 0..<T.positions {
                GEMM.multiply(m: outChannels, n: chunk.tiles, k: chunk.rows, a: u + xi * stride(outChannels, chunk.rows),
                              b: v + xi * chunk.vStride, transposeB: true, c: m + xi * chunk.mStride)
            }
            chunk.tiling.transformOutput(m, images: chunk.images, outChannels: outChannels, bias: bias,
                                         into: y + chunk.start * chunk.outputSize)
            if let slope = rectified {
                ConvolutionKernels.rectify(y + chunk.start * chunk.outputSize, count: chunk.images * chunk.outputSize, slope: slope)
            }
        }
    }

    /// x̄[N, C, H, W], the adjoint of `forward` in x (convTranspose2d of dy [N, O, H/2, W/2]).
    public static func transposed(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                                  geometry g: ConvGeometry, x: UnsafeMutablePointer<Float>,
                                  chunkBytes: Int = defaultChunkBytes, tiles: Tiles? = nil) {
        switch tiles ?? .automatic(for: g) {
        case .small: transposed(StridedWinogradTiling.self, dy: dy, weight: weight, outChannels: outChannels, geometry: g, x: x,
                                chunkBytes: chunkBytes)
        case .large: transposed(StridedWinogradLargeTiling.self, dy: dy, weight: weight, outChannels: outChannels, geometry: g, x: x,
                                chunkBytes: chunkBytes)
        }
    }

    private static func transposed<T: SpaceToDepthTiling>(_: T.Type, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                          outChannels: Int, geometry g: ConvGeometry, x: UnsafeMutablePointer<Float>,
                                                          chunkBytes: Int) {
        forEachTransformedChunk(T.self, g, weight: weight, outChannels: outChannels, chunkBytes: chunkBytes) { chunk, u, dv, dm in
            chunk.tiling.transformOutputGradient(dy + chunk.start * chunk.outputSize, images: chunk.images, tiles: nil,
                                                 outChannels: outChannels, into: dm)
            for xi in 0..<T.positions {
                GEMM.multiply(m: chunk.tiles, n: chunk.rows, k: outChannels, a: dm + xi * chunk.mStride,
                              b: u + xi * stride(outChannels, chunk.rows), c: dv + xi * chunk.vStride)
            }
            chunk.tiling.transformInputAdjoint(dv, images: chunk.images, into: x + chunk.start * chunk.imageSize,
                                               padded: chunk.padded)
        }
    }

    /// Where a chunk is and how its matrices are laid out.
    struct Chunk<T: SpaceToDepthTiling> {
        let tiling: T
        let start, images, rows, tiles, vStride, mStride, imageSize, outputSize: Int
        /// Scratch for the chunk's padded planes.
        let padded: UnsafeMutablePointer<Float>
    }

    /// Runs `body(chunk, U, V scratch, M scratch)` for every chunk of the batch on the workers, with the
    /// weight transformed once.
    private static func forEachTransformedChunk<T: SpaceToDepthTiling>(_: T.Type, _ g: ConvGeometry, weight: UnsafePointer<Float>,
                                                                       outChannels: Int, chunkBytes: Int,
                                                                       _ body: (Chunk<T>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                                                                                UnsafeMutablePointer<Float>) -> Void) {
        let tiling = T(g)
        let (rows, tilesPerImage) = (4 * g.channels, tiling.tilesPerImage)
        let u = UnsafeMutablePointer<Float>.allocate(capacity: T.positions * stride(outChannels, rows))
        T.transformWeight(weight, outChannels: outChannels, channels: g.channels, into: u)
        defer { u.deallocate() }
        let chunk = imagesPerChunk(tiling, outChannels: outChannels, chunkBytes: chunkBytes, groups: ConvolutionKernels.batchShares)
        let transformed = T.positions * (rows * tilesPerImage + 16), product = T.positions * (outChannels * tilesPerImage + 16)
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
                                      chunkBytes: Int = defaultChunkBytes, tiles: Tiles? = nil) {
        switch tiles ?? .automatic(for: g) {
        case .small: weightGradient(StridedWinogradTiling.self, x: x, dy: dy, outChannels: outChannels, geometry: g, dw: dw,
                                    chunkBytes: chunkBytes)
        case .large: weightGradient(StridedWinogradLargeTiling.self, x: x, dy: dy, outChannels: outChannels, geometry: g, dw: dw,
                                    chunkBytes: chunkBytes)
        }
    }

    private static func weightGradient<T: SpaceToDepthTiling>(_: T.Type, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                                              outChannels: Int, geometry g: ConvGeometry,
                                                              dw: UnsafeMutablePointer<Float>, chunkBytes: Int) {
        let tiling = T(g)
        let (rows, tilesPerImage) = (4 * g.channels, tiling.tilesPerImage)
        let tiles = g.batch * tilesPerImage, (vStride, mStride) = (stride(rows, tiles), stride(outChannels, tiles))
        let v = UnsafeMutablePointer<Float>.allocate(capacity: T.positions * vStride)
        let dm = UnsafeMutablePointer<Float>.allocate(capacity: T.positions * mStride)
        let du = UnsafeMutablePointer<Float>.allocate(capacity: T.positions * stride(outChannels, rows))
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
        Parallel.forEach(T.positions * halves) { task in
            let (xi, half) = task.quotientAndRemainder(dividingBy: halves)
            let (low, high) = (outChannels * half / halves, outChannels * (half + 1) / halves)
            GEMM.multiply(m: high - low, n: rows, k: tiles, a: dm + xi * mStride + low, lda: outChannels, transposeA: true,
                          b: v + xi * vStride, ldb: rows, c: du + xi * stride(outChannels, rows) + low * rows, ldc: rows)
        }
        T.transformWeightGradientAdjoint(du, outChannels: outChannels, channels: g.channels, into: dw)
    }

    @inline(__always)
    private static func stride(_ rows: Int, _ columns: Int) -> Int { StridedWinogradTiling.positionStride(rows: rows, columns: columns) }
}

/// What `StridedWinogradConvolution` needs of a Winograd tiling of the space-to-depth input: `positions`
/// matrices per direction in the layouts of `StridedWinogradTiling`, each transform and its adjoint.
protocol SpaceToDepthTiling {
    static var positions: Int { get }
    init(_ g: ConvGeometry)
    var geometry: ConvGeometry { get }
    var tilesPerImage: Int { get }
    /// Scratch floats per image for the padded input planes.
    var paddedScratch: Int { get }
    func transformInput(_ x: UnsafePointer<Float>, images: Int, tiles: Int?, into v: UnsafeMutablePointer<Float>,
                        padded: UnsafeMutablePointer<Float>)
    func transformInputAdjoint(_ dv: UnsafePointer<Float>, images: Int, into x: UnsafeMutablePointer<Float>,
                               padded: UnsafeMutablePointer<Float>)
    func transformOutput(_ m: UnsafePointer<Float>, images: Int, outChannels: Int, bias: UnsafePointer<Float>?,
                         into y: UnsafeMutablePointer<Float>)
    func transformOutputGradient(_ dy: UnsafePointer<Float>, images: Int, tiles: Int?, outChannels: Int,
                                 into dm: UnsafeMutablePointer<Float>)
    static func transformWeight(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int, into u: UnsafeMutablePointer<Float>)
    static func transformWeightGradientAdjoint(_ du: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                               into dw: UnsafeMutablePointer<Float>)
}

extension StridedWinogradTiling: SpaceToDepthTiling {}
