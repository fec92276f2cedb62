// MARK: - Inference-only pooling and resizing (NCHW), as Inception-v3 uses them
// These record nothing on the tape: calling them on a tensor that requires a gradient while recording
// is a programming error, caught by a precondition.

extension Tensor {
    func requireInferenceOnly(_ op: String) {
        precondition(!(GradientMode.isRecording && requiresGradient),
                     "\(op) has no pullback: call it inside withoutGradients or on a tensor without gradient")
    }

    /// Applies `pool(plane, output, scratch)` to every [H, W] plane of an NCHW tensor, giving [N, C, oh, ow];
    /// `scratch` holds `scratchCount` floats, one buffer per worker, reused across its planes.
    func mapPlanes(outputHeight oh: Int, outputWidth ow: Int, scratchCount: Int = 0,
                   _ pool: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let planes = shape[0] * shape[1], planeSize = shape[2] * shape[3]
        let work = max(1, (planeSize + oh * ow) * 4)
        let values = [Float].uninitialized(planes * oh * ow) { out in
            scalars.withUnsafeBufferPointer { x in
                let source = x.baseAddress!
                Parallel.forRanges(planes, minimumChunk: max(1, 65_536 / work)) { range in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, scratchCount))
                    defer { scratch.deallocate() }
                    for plane in range { pool(source + plane * planeSize, out + plane * oh * ow, scratch) }
                }
            }
        }
        return Tensor(shape: [shape[0], shape[1], oh, ow], scalars: values)
    }

    /// y[n, c, i, j] = max over the k×k window at (i·s − p, j·s − p) of x, ignoring positions outside
    /// x (PyTorch's max_pool2d: padding counts as −∞). Inference only.
    public func maxPool2d(kernel k: Int, stride s: Int, padding p: Int = 0) -> Tensor {
        precondition(rank == 4, "maxPool2d: expects NCHW, got \(shape)")
        requireInferenceOnly("maxPool2d")
        return separablePool(MaxReduction.self, kernel: k, stride: s, padding: p) { _, _ in }
    }

    /// y[n, c, i, j] = mean of x over the k×k window at (i·s − p, j·s − p). With
    /// `countingPadding: false` the mean is over the positions inside x only (TensorFlow's average
    /// pool, PyTorch's count_include_pad=False); otherwise it divides by k². Inference only.
    public func avgPool2d(kernel k: Int, stride s: Int, padding p: Int, countingPadding: Bool) -> Tensor {
        precondition(rank == 4, "avgPool2d: expects NCHW, got \(shape)")
        requireInferenceOnly("avgPool2d")
        let window = PoolWindow(kernel: k, stride: s, padding: p)
        let rows = window.counts(extent: shape[2]), columns = window.counts(extent: shape[3])
        let divisors = rows.flatMap { r in columns.map { Float(countingPadding ? k * k : r * $0) } }
        return divisors.withUnsafeBufferPointer { divisors in
            separablePool(SumReduction.self, kernel: k, stride: s, padding: p) { y, i in
                let row = divisors.baseAddress! + i * columns.count
                for j in columns.indices { y[j] /= row[j] }
            }
        }
    }

    /// A k×k pooling done as a pass along rows then along columns (both reductions are separable):
    /// h[r, j] = ⊕_{a<k} x[r, j·s − p + a], y[i, j] = ⊕_{a<k} h[i·s − p + a, j] over positions inside x,
    /// each ⊕ starting from the reduction's identity and taking the taps in order; `finish(row, i)` then
    /// adjusts output row i.
    func separablePool<R: PoolReduction>(_: R.Type, kernel k: Int, stride s: Int, padding p: Int,
                                          finish: (UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let (h, w) = (shape[2], shape[3])
        let window = PoolWindow(kernel: k, stride: s, padding: p)
        let (oh, ow) = (window.outputs(extent: h), window.outputs(extent: w))
        precondition(oh > 0 && ow > 0, "pooling: window \(k) larger than padded input \(shape)")
        let plane = SeparablePool<R>(window: window, height: h, width: w)
        return mapPlanes(outputHeight: oh, outputWidth: ow, scratchCount: plane.scratchCount) { x, y, scratch in
            plane.rows(x, into: scratch)
            plane.columns(scratch, into: y, finish: finish)
        }
    }

    /// Bilinear resize to oh×ow with half-pixel centres (PyTorch's align_corners=False): output row i
    /// samples source row r = max(0, (i + ½)·H/oh − ½), interpolating x[⌊r⌋] and x[min(⌊r⌋+1, H−1)] with
    /// weights 1 − (r − ⌊r⌋) and r − ⌊r⌋; columns likewise. Inference only.
    public func resizedBilinear(height oh: Int, width ow: Int) -> Tensor {
        precondition(rank == 4, "resizedBilinear: expects NCHW, got \(shape)")
        requireInferenceOnly("resizedBilinear")
        let (h, w) = (shape[2], shape[3])
        let rows = BilinearTaps(source: h, target: oh), columns = BilinearTaps(source: w, target: ow)
        return mapPlanes(outputHeight: oh, outputWidth: ow) { x, y, _ in
            for i in 0..<oh {
                let top = x + rows.low[i] * w, bottom = x + rows.high[i] * w
                let (a, b) = (rows.lowWeight[i], rows.highWeight[i])
                for j in 0..<ow {
                    let (l, r) = (columns.low[j], columns.high[j])
                    let (cl, cr) = (columns.lowWeight[j], columns.highWeight[j])
                    y[i * ow + j] = a * (cl * top[l] + cr * top[r]) + b * (cl * bottom[l] + cr * bottom[r])
                }
            }
        }
    }
}

/// Source indices and weights of a half-pixel-centred linear resize along one axis.
struct BilinearTaps {
    var low: [Int] = [], high: [Int] = []
    var lowWeight: [Float] = [], highWeight: [Float] = []

    init(source: Int, target: Int) {
        let scale = Float(source) / Float(target)
        for i in 0..<target {
            let position = Swift.max(0, (Float(i) + 0.5) * scale - 0.5)
            let index = Swift.min(Int(position), source - 1)
            let fraction = position - Float(index)
            low.append(index)
            high.append(Swift.min(index + 1, source - 1))
            lowWeight.append(1 - fraction)
            highWeight.append(fraction)
        }
    }
}

/// An associative reduction with an identity, specialised into the pooling loops.
protocol PoolReduction {
    static var identity: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
}

enum MaxReduction: PoolReduction {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { Swift.max(a, b) }
}

enum SumReduction: PoolReduction {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
}

/// One axis of a pooling window: k taps, stride s, padding p.
struct PoolWindow {
    let kernel, stride, padding: Int

    /// ⌊(n + 2p − k) / s⌋ + 1
    func outputs(extent: Int) -> Int { (extent + 2 * padding - kernel) / stride + 1 }

    /// The outputs o whose tap `offset` lands inside [0, extent): 0 ≤ o·s − p + offset < extent.
    func valid(offset: Int, extent: Int, outputs: Int) -> Range<Int> {
        let shift = padding - offset
        let low = shift > 0 ? (shift + stride - 1) / stride : 0
        let top = extent - 1 + shift
        let high = top < 0 ? 0 : Swift.min(outputs, top / stride + 1)
        return low..<Swift.max(low, high)
    }

    /// How many taps of each output land inside [0, extent).
    func counts(extent: Int) -> [Int] {
        let n = outputs(extent: extent)
        var counts = [Int](repeating: 0, count: n)
        for a in 0..<kernel { for o in valid(offset: a, extent: extent, outputs: n) { counts[o] += 1 } }
        return counts
    }
}
