/// One [H, W] plane of a separable k×k pooling (`Tensor.separablePool`): a pass along rows,
/// h[r, j] = ⊕_{a<k} x[r, j·s − p + a], then along columns, y[i, j] = ⊕_{a<k} h[i·s − p + a, j], each ⊕
/// starting from the reduction's identity and taking the taps inside the plane in order of a.
///
/// Where the window allows, a pass runs over the whole plane as one flat loop (taps that would cross a row
/// end are recomputed for the edge columns), so small planes (8×8, 17×17, 35×35) do not pay a loop per row
/// and tap; the values are the same as the row-by-row loops give.
struct SeparablePool<R: PoolReduction> {
    let window: PoolWindow
    let height, width, outputHeight, outputWidth: Int

    init(window: PoolWindow, height: Int, width: Int) {
        self.window = window
        self.height = height
        self.width = width
        outputHeight = window.outputs(extent: height)
        outputWidth = window.outputs(extent: width)
    }

    /// Stride 1 with "same" padding (2p = k − 1): outputs as wide as the input.
    var keepsSize: Bool { window.stride == 1 && 2 * window.padding == window.kernel - 1 }

    /// Floats of scratch a plane needs: the row pass [H, ow], and for unpadded windows a full-width pass.
    var scratchCount: Int { height * outputWidth + (window.padding == 0 ? height * width : 0) }

    /// The row pass of plane `x` into `h` ([H, ow], the first H·ow floats of the scratch).
    func rows(_ x: UnsafePointer<Float>, into h: UnsafeMutablePointer<Float>) {
        if keepsSize {
            Self.combineShifted(x, count: height * width, step: 1, kernel: window.kernel, padding: window.padding, into: h)
            for r in 0..<height { edgeColumns(of: x + r * width, into: h + r * width) }
        } else if window.padding == 0 {
            // Every window start of the flat plane, then each output row's starts picked at stride s.
            let full = h + height * outputWidth
            Self.combineShifted(x, count: height * width, step: 1, kernel: window.kernel, padding: 0, into: full)
            for r in 0..<height {
                let source = full + r * width, target = h + r * outputWidth
                for j in 0..<outputWidth { target[j] = source[j * window.stride] }
            }
        } else {
            for r in 0..<height { rowByTaps(x + r * width, into: h + r * outputWidth) }
        }
    }

    /// The column pass of `h` into `y` ([oh, ow]), calling `finish(row, i)` on each output row.
    func columns(_ h: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                 finish: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let ow = outputWidth
        if keepsSize {
            Self.combineShifted(h, count: height * ow, step: ow, kernel: window.kernel, padding: window.padding, into: y)
            for i in 0..<min(window.padding, height) { columnByTaps(h, row: i, into: y + i * ow) }
            for i in (height - window.padding)..<height where i >= window.padding { columnByTaps(h, row: i, into: y + i * ow) }
        } else {
            for i in 0..<outputHeight { columnByTaps(h, row: i, into: y + i * ow) }
        }
        for i in 0..<outputHeight { finish(y + i * ow, i) }
    }

    /// out[f] = ⊕_{a<k} x[f + (a − p)·step] for the f whose every tap lies in [0, count) (the others are
    /// left for the caller to fill): one flat, vectorisable loop, fused for k = 3.
    static func combineShifted(_ x: UnsafePointer<Float>, count: Int, step: Int, kernel k: Int, padding p: Int,
                               into out: UnsafeMutablePointer<Float>) {
        let low = p * step, high = count - (k - 1 - p) * step
        guard high > low else { return }
        let base = x - p * step
        if k == 3 {
            for f in low..<high {
                out[f] = R.combine(R.combine(R.combine(R.identity, base[f]), base[f + step]), base[f + 2 * step])
            }
            return
        }
        for f in low..<high { out[f] = R.identity }
        for a in 0..<k {
            let shifted = base + a * step
            for f in low..<high { out[f] = R.combine(out[f], shifted[f]) }
        }
    }

    /// For a same-size row pass: recomputes the first p and last p outputs of one row from its valid taps.
    private func edgeColumns(of x: UnsafePointer<Float>, into h: UnsafeMutablePointer<Float>) {
        let p = window.padding
        for j in 0..<min(p, width) { h[j] = tapsReduced(x, at: j, extent: width, step: 1) }
        for j in min(width, max(p, width - p))..<width { h[j] = tapsReduced(x, at: j, extent: width, step: 1) }
    }

    /// ⊕ of x[(o·s − p + a)·step] over the taps a inside [0, extent).
    private func tapsReduced(_ x: UnsafePointer<Float>, at o: Int, extent: Int, step: Int) -> Float {
        var value = R.identity
        for a in 0..<window.kernel {
            let position = o * window.stride - window.padding + a
            if position >= 0 && position < extent { value = R.combine(value, x[position * step]) }
        }
        return value
    }

    /// The row pass of one row, tap by tap (any stride and padding).
    private func rowByTaps(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let (s, p) = (window.stride, window.padding)
        target.update(repeating: R.identity, count: outputWidth)
        for a in 0..<window.kernel {
            let valid = window.valid(offset: a, extent: width, outputs: outputWidth)
            guard !valid.isEmpty else { continue }
            guard s == 1 else {
                for j in valid { target[j] = R.combine(target[j], source[j * s - p + a]) }
                continue
            }
            let shifted = source + (valid.lowerBound - p + a), run = target + valid.lowerBound
            for j in 0..<valid.count { run[j] = R.combine(run[j], shifted[j]) }
        }
    }

    /// Output row i of the column pass from the row-pass rows it covers.
    private func columnByTaps(_ h: UnsafePointer<Float>, row i: Int, into target: UnsafeMutablePointer<Float>) {
        let ow = outputWidth
        target.update(repeating: R.identity, count: ow)
        for a in 0..<window.kernel {
            let r = i * window.stride - window.padding + a
            guard r >= 0 && r < height else { continue }
            let source = h + r * ow
            for j in 0..<ow { target[j] = R.combine(target[j], source[j]) }
        }
    }
}
