import COpenBLAS
import Foundation

/// Convolution kernels on raw NCHW buffers.
///
/// Each kernel takes an `algorithm` (3×3 stride-1 convolutions go to `WinogradConvolution` by default) and
/// `chunkBytes`, the chunk budget of the algorithm used (nil: that algorithm's default).
///
/// The batch is cut into chunks of images whose column matrix stays cache-sized (`chunkBytes`). Each of
/// our workers takes whole chunks and runs im2col → single-threaded sgemm → scatter on its own core, so
/// no data leaves the core's cache between the steps and OpenBLAS's thread pool never contends with ours
/// (measured on 2 cores: 200 GFLOP/s against 140 with batch-wide columns and OpenBLAS threading).
public enum ConvolutionKernels {
    /// How a convolution is computed; all give the same values up to rounding.
    public enum Algorithm: Sendable {
        /// Winograd where one applies and pays off (`WinogradConvolution`, `StridedWinogradConvolution`),
        /// im2col elsewhere.
        case automatic
        /// im2col + one sgemm per chunk: any kernel, stride and padding.
        case im2col
        /// Winograd only (a precondition): F(4×4, 3×3) for 3×3 stride-1 convolutions, F(2×2, 2×2) or F(4×4, 2×2) on the
        /// space-to-depth input for 4×4 stride-2 convolutions with padding 1 and ≥ 8 channels in and out.
        case winograd

        /// `worthwhile`: whether `.automatic` should take Winograd where it applies.
        func usesWinograd(_ applies: Bool, worthwhile: Bool) -> Bool {
            switch self {
            case .automatic: return applies && worthwhile
            case .im2col: return false
            case .winograd:
                precondition(applies, "Winograd convolution needs a 3×3 stride-1 kernel (padding ≤ 2 when transposed) "
                             + "or a 4×4 stride-2 kernel with padding 1, an even plane and ≥ 8 channels in and out")
                return true
            }
        }
    }

    /// The kernel family that computes a convolution (or, `transposed`, its input gradient). `lineWinograd`
    /// (`LineWinogradConvolution`) computes forward convolutions only; their gradients take im2col.
    enum Kernel { case im2col, winograd, stridedWinograd, lineWinograd }

    /// The kernel for geometry `g` under `algorithm`: for a `forward` convolution under `.automatic`, Winograd
    /// F(2, 7) along the kernel's axis for 7×1 and 1×7 layers with same padding (`LineWinogradConvolution`);
    /// Winograd F(2×2, 2×2) or F(4×4, 2×2) on the space-to-depth input for 4×4 stride-2 convolutions with
    /// padding 1 and ≥ 8 channels in and out, F(4×4, 3×3) for 3×3 stride-1
    /// ones (padding ≤ 2 when transposed), and for `.automatic` only with ≥ 8 input channels; im2col otherwise.
    static func kernel(for g: ConvGeometry, outChannels: Int, transposed: Bool, algorithm: Algorithm, forward: Bool = false) -> Kernel {
        if case .automatic = algorithm, forward, LineWinogradConvolution.applies(to: g) { return .lineWinograd }
        let strided = StridedWinogradConvolution.applies(to: g, outChannels: outChannels)
        let winograd = transposed ? WinogradConvolution.appliesTransposed(to: g) : WinogradConvolution.applies(to: g)
        guard algorithm.usesWinograd(winograd || strided, worthwhile: WinogradConvolution.worthwhile(g)) else { return .im2col }
        return strided ? .stridedWinograd : .winograd
    }

    /// Bytes of column matrix per chunk (tuned with `augbench bench`); a chunk holds at least one image.
    public static let defaultChunkBytes = 1 << 20
    /// Weight-gradient partial sums, reduced in a fixed order: results do not depend on the core count.
    static let accumulationGroups = 4
    /// A chunk holds at most this share of the batch (1/4), whatever the core count: chunk sizes, and so the
    /// shapes of the sgemm calls (whose rounding can depend on them), are fixed by the layer, so a process
    /// with one worker computes exactly what one with two computes (`run --jobs`).
    static let batchShares = 4

    /// Images per chunk: as many as fit `chunkBytes` of column matrix, but no more than an equal share of the
    /// batch for each of `groups`, so that layers with small column matrices (one input channel) still
    /// keep every core busy.
    static func chunkSize(_ g: ConvGeometry, _ chunkBytes: Int, groups: Int) -> Int {
        let fitting = chunkBytes / max(1, g.patchSize * g.outputPlane * MemoryLayout<Float>.size)
        return max(1, min((g.batch + groups - 1) / groups, fitting))
    }

    static func slice(_ g: ConvGeometry, count: Int) -> ConvGeometry {
        ConvGeometry(batch: count, channels: g.channels, height: g.height, width: g.width,
                     kernel: (g.kernelHeight, g.kernelWidth), stride: g.stride, padding: (g.paddingHeight, g.paddingWidth))
    }

    /// Runs `body(group, first image, chunk geometry, scratch A, scratch B)` for every chunk of `chunk`
    /// images (scratch sizes are per image) on up to `groups` workers, each with its own scratch and sgemm
    /// single-threaded. `fixedGroups` (for partial sums, whose grouping must not depend on timing): chunk i
    /// belongs to group i mod `groups` and each group's chunks run in order on one worker. Otherwise a worker
    /// takes the next chunk as soon as it is free, so a core slowed by another process does not hold the
    /// others at the layer's end; every chunk writes only its own images, so the values do not depend on
    /// which worker ran it (`group` is then the worker's index).
    static func forEachChunk(_ g: ConvGeometry, chunk: Int, groups: Int, scratchA: Int, scratchB: Int, fixedGroups: Bool = false,
                             _ body: (Int, Int, ConvGeometry, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        let chunks = (g.batch + chunk - 1) / chunk
        let active = min(groups, chunks)
        let queue = ChunkQueue(count: chunks)
        withoutActuallyEscaping(body) { body in
            let work = { (group: Int) in
                let a = UnsafeMutablePointer<Float>.allocate(capacity: scratchA * chunk)
                let b = UnsafeMutablePointer<Float>.allocate(capacity: scratchB * chunk)
                defer { a.deallocate(); b.deallocate() }
                func run(_ index: Int) {
                    let start = index * chunk
                    body(group, start, slice(g, count: min(chunk, g.batch - start)), a, b)
                }
                if fixedGroups || active == 1 {
                    for index in stride(from: group, to: chunks, by: active == 1 ? 1 : groups) { run(index) }
                } else {
                    while let index = queue.next() { run(index) }
                }
            }
            if active == 1 { work(0) } else { Parallel.pool.perform(active, work) }
        }
    }

    /// y[p·L + l] += b[p mod O] for the `planes` consecutive [L] planes of NCHW output.
    static func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, planes: Int, channels: Int, plane: Int) {
        for p in 0..<planes {
            let value = bias[p % channels], row = y + p * plane
            for l in 0..<plane { row[l] += value }
        }
    }

    /// y[i] = y[i] > 0 ? y[i] : slope·y[i] for `count` floats, exactly what `leakyRelu(slope:)` computes (so
    /// NaN stays NaN; slope 0 is `relu()`): the rectifier of `forward(rectified: slope)`, applied to each
    /// chunk's output while it is in cache.
    static func rectify(_ y: UnsafeMutablePointer<Float>, count: Int, slope: Float) {
        let rectifier = UnaryOperations.LeakyRelu(slope: slope)
        for i in 0..<count { y[i] = rectifier.apply(y[i]) }
    }

    /// Whether a convolution is pointwise (1×1, stride 1, no padding): its im2col column matrix for one
    /// image is the image itself.
    static func isPointwise(_ g: ConvGeometry) -> Bool {
        g.kernelHeight == 1 && g.kernelWidth == 1 && g.stride == 1 && g.paddingHeight == 0 && g.paddingWidth == 0
    }

    /// A chunk's output gradient as [O, n·L]: for one image its NCHW block is already that, so it is used
    /// in place; otherwise it is rearranged into `scratch`.
    static func channelMajorGradient(_ dy: UnsafePointer<Float>, outChannels: Int, chunk c: ConvGeometry,
                                     scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        guard c.batch > 1 else { return dy }
        Im2Col.swapLeadingAxes(dy, a: outChannels, b: c.batch, run: c.outputPlane, into: scratch, inverse: true, parallel: false)
        return UnsafePointer(scratch)
    }

    /// y[N, O, L] = W[O, C·kh·kw] · im2col(x).
    /// With a bias, y[n, o, ·] += b[o] for each chunk right after its product; `rectified` (a slope s) then
    /// applies y > 0 ? y : s·y to the chunk (conv → bias → leaky ReLU, or ReLU for s = 0, in one pass over
    /// cached output).
    public static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>? = nil,
                               outChannels: Int, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>,
                               chunkBytes: Int? = nil, algorithm: Algorithm = .automatic, rectified: Float? = nil) {
        run("forward", g, outChannels: outChannels, transposed: false, algorithm: algorithm, forward: true) { chosen in
            forward(x: x, weight: weight, bias: bias, outChannels: outChannels, geometry: g, y: y, chunkBytes: chunkBytes,
                    kernel: chosen, rectified: rectified)
        }
    }

    private static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                outChannels: Int, geometry g: ConvGeometry, y: UnsafeMutablePointer<Float>,
                                chunkBytes: Int?, kernel chosen: Kernel, rectified: Float?) {
        switch chosen {
        case .stridedWinograd:
            return StridedWinogradConvolution.forward(x: x, weight: weight, bias: bias, outChannels: outChannels, geometry: g,
                                                      y: y, chunkBytes: chunkBytes ?? StridedWinogradConvolution.defaultChunkBytes,
                                                      rectified: rectified)
        case .winograd:
            return WinogradConvolution.forward(x: x, weight: weight, bias: bias, outChannels: outChannels, geometry: g, y: y,
                                               chunkBytes: chunkBytes ?? WinogradConvolution.defaultChunkBytes, rectified: rectified)
        case .lineWinograd:
            return LineWinogradConvolution.forward(x: x, weight: weight, bias: bias, outChannels: outChannels, geometry: g, y: y,
                                                   rectified: rectified)
        case .im2col: break
        }
        let plane = g.outputPlane, imageSize = g.channels * g.height * g.width, pointwise = isPointwise(g)
        let budget = chunkBytes ?? defaultChunkBytes
        if BandedConvolution.applies(to: g, chunkBytes: budget) {
            let rows = BandedConvolution.bandRows(g, chunkBytes: budget)
            forEachChunk(g, chunk: 1, groups: Parallel.workerCount, scratchA: g.patchSize * rows * g.outputWidth, scratchB: 0) { _, start, c, columns, _ in
                BandedConvolution.forwardImage(x: x + start * imageSize, weight: weight, bias: bias, outChannels: outChannels,
                                               geometry: c, bandRows: rows, rectified: rectified, columns: columns,
                                               y: y + start * outChannels * plane)
            }
            return
        }
        forEachChunk(g, chunk: chunkSize(g, budget, groups: batchShares), groups: Parallel.workerCount,
                     scratchA: g.patchSize * plane, scratchB: outChannels * plane) { _, start, c, col, product in
            // A pointwise convolution's columns for one image are the image: no copy.
            let copiesColumns = !(pointwise && c.batch == 1)
            if copiesColumns { Im2Col.im2col(x + start * imageSize, c, into: col, parallel: false) }
            let columns = copiesColumns ? UnsafePointer(col) : x + start * imageSize
            let output = y + start * outChannels * plane
            // One image: [O, L] is already its NCHW block, so the product goes straight there.
            GEMM.multiply(m: outChannels, n: c.batch * plane, k: g.patchSize, a: weight, b: columns,
                          c: c.batch == 1 ? output : product)
            if c.batch > 1 {
                Im2Col.swapLeadingAxes(product, a: outChannels, b: c.batch, run: plane, into: output, parallel: false)
            }
            if let bias { addBias(bias, to: output, planes: c.batch * outChannels, channels: outChannels, plane: plane) }
            if let slope = rectified { rectify(output, count: c.batch * outChannels * plane, slope: slope) }
        }
    }

    /// The adjoint of `forward` in x (a transposed convolution): x̄[N, C, H, W] = col2im(Wᵀ · dy) for
    /// dy [N, O, L] in the geometry `g` of the forward convolution.
    public static func transposed(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                                  geometry g: ConvGeometry, x: UnsafeMutablePointer<Float>,
                                  chunkBytes: Int? = nil, algorithm: Algorithm = .automatic) {
        run("input gradient", g, outChannels: outChannels, transposed: true, algorithm: algorithm) { chosen in
            transposed(dy: dy, weight: weight, outChannels: outChannels, geometry: g, x: x, chunkBytes: chunkBytes, kernel: chosen)
        }
    }

    private static func transposed(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                                   geometry g: ConvGeometry, x: UnsafeMutablePointer<Float>, chunkBytes: Int?, kernel chosen: Kernel) {
        switch chosen {
        case .stridedWinograd:
            return StridedWinogradConvolution.transposed(dy: dy, weight: weight, outChannels: outChannels, geometry: g, x: x,
                                                         chunkBytes: chunkBytes ?? StridedWinogradConvolution.defaultChunkBytes)
        case .winograd:
            return WinogradConvolution.transposed(dy: dy, weight: weight, outChannels: outChannels, geometry: g, x: x,
                                                  chunkBytes: chunkBytes ?? WinogradConvolution.defaultChunkBytes)
        case .im2col, .lineWinograd: break
        }
        let plane = g.outputPlane, imageSize = g.channels * g.height * g.width
        forEachChunk(g, chunk: chunkSize(g, chunkBytes ?? defaultChunkBytes, groups: batchShares), groups: Parallel.workerCount,
                     scratchA: g.patchSize * plane, scratchB: outChannels * plane) { _, start, c, col, channelMajor in
            let gradient = channelMajorGradient(dy + start * outChannels * plane, outChannels: outChannels, chunk: c,
                                                scratch: channelMajor)
            GEMM.multiply(m: g.patchSize, n: c.batch * plane, k: outChannels, a: weight, transposeA: true,
                          b: gradient, c: col)
            Im2Col.col2im(col, c, into: x + start * imageSize, parallel: false)
        }
    }

    /// dW[O, C·kh·kw] = Σ over images of dy[O, L] · im2col(x)ᵀ, summed per group and then across groups
    /// in group order.
    public static func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, outChannels: Int,
                                      geometry g: ConvGeometry, dw: UnsafeMutablePointer<Float>,
                                      chunkBytes: Int? = nil, algorithm: Algorithm = .automatic) {
        run("weight gradient", g, outChannels: outChannels, transposed: false, algorithm: algorithm) { chosen in
            weightGradient(x: x, dy: dy, outChannels: outChannels, geometry: g, dw: dw, chunkBytes: chunkBytes, kernel: chosen)
        }
    }

    private static func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, outChannels: Int,
                                       geometry g: ConvGeometry, dw: UnsafeMutablePointer<Float>, chunkBytes: Int?, kernel chosen: Kernel) {
        switch chosen {
        case .stridedWinograd:
            return StridedWinogradConvolution.weightGradient(x: x, dy: dy, outChannels: outChannels, geometry: g, dw: dw,
                                                             chunkBytes: chunkBytes ?? StridedWinogradConvolution.defaultChunkBytes)
        case .winograd:
            return WinogradConvolution.weightGradient(x: x, dy: dy, outChannels: outChannels, geometry: g, dw: dw,
                                                      chunkBytes: chunkBytes ?? WinogradConvolution.defaultChunkBytes)
        case .im2col, .lineWinograd: break
        }
        let plane = g.outputPlane, imageSize = g.channels * g.height * g.width
        sumOverChunks(g, chunk: chunkSize(g, chunkBytes ?? defaultChunkBytes, groups: accumulationGroups), size: outChannels * g.patchSize,
                      scratchA: g.patchSize * plane, scratchB: outChannels * plane, into: dw) { start, c, col, channelMajor, partial, accumulate in
            Im2Col.im2col(x + start * imageSize, c, into: col, parallel: false)
            let gradient = channelMajorGradient(dy + start * outChannels * plane, outChannels: outChannels, chunk: c,
                                                scratch: channelMajor)
            GEMM.multiply(m: outChannels, n: g.patchSize, k: c.batch * plane, a: gradient, b: col,
                          transposeB: true, accumulate: accumulate, c: partial)
        }
    }

    /// Chooses the kernel for `g` under `algorithm` and runs `body` with it, timed as `direction` while a profile runs.
    /// `forward`: the forward convolution itself (the only direction `lineWinograd` computes).
    private static func run(_ direction: String, _ g: ConvGeometry, outChannels: Int, transposed: Bool, algorithm: Algorithm,
                            forward: Bool = false, _ body: (Kernel) -> Void) {
        let chosen = kernel(for: g, outChannels: outChannels, transposed: transposed, algorithm: algorithm, forward: forward)
        OpProfile.kernel(profileName(direction, g, outChannels, chosen)) { body(chosen) }
    }

    /// "forward N=50 128→128 3×3 s1 p1 16×16 winograd": a kernel call's direction, shape and kernel, for `OpProfile.kernel`.
    static func profileName(_ direction: String, _ g: ConvGeometry, _ outChannels: Int, _ kernel: Kernel) -> String {
        "\(direction) N=\(g.batch) \(g.channels)→\(outChannels) \(g.kernelHeight)×\(g.kernelWidth) s\(g.stride) "
            + "p\(g.paddingHeight) \(g.height)×\(g.width) \(kernel)"
    }

    /// result[i] = Σ over chunks of their [size] products, for weight gradients. Chunk i runs
    /// `body(first image, chunk geometry, scratch A, scratch B, partial, accumulate)` into the partial sum of
    /// group i mod `accumulationGroups` (overwriting it on the group's first chunk, `accumulate` false,
    /// adding after); the groups are then added in group order, so results do not depend on the core count.
    static func sumOverChunks(_ g: ConvGeometry, chunk: Int, size: Int, scratchA: Int, scratchB: Int,
                              into result: UnsafeMutablePointer<Float>,
                              _ body: (Int, ConvGeometry, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                       UnsafeMutablePointer<Float>, Bool) -> Void) {
        let groups = accumulationGroups
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: groups * size)
        defer { partials.deallocate() }
        var used = [Bool](repeating: false, count: groups)
        used.withUnsafeMutableBufferPointer { used in
            let flags = used.baseAddress!
            forEachChunk(g, chunk: chunk, groups: groups, scratchA: scratchA, scratchB: scratchB, fixedGroups: true) { group, start, c, a, b in
                body(start, c, a, b, partials + group * size, flags[group])
                flags[group] = true
            }
        }
        // Chunk 0 is group 0's, so group 0 is always used.
        result.update(from: partials, count: size)
        for group in 1..<groups where used[group] {
            let partial = partials + group * size
            for i in 0..<size { result[i] += partial[i] }
        }
    }
}

/// Hands out chunk indices 0, 1, … to whichever worker asks first.
final class ChunkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
}
