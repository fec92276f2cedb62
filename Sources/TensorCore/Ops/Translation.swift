// MARK: - Per-image translation with zero fill (NCHW)

extension Tensor {
    /// out[n, c, i, j] = x[n, c, i + rₙ, j + cₙ] where that position is inside the image, else 0, for the
    /// shift (rₙ, cₙ) of image n (DiffAugment's translation). Pullback: g translated by (−rₙ, −cₙ), the exact
    /// adjoint (a position maps to at most one position, and back). Each value is written as 0 + x, as a
    /// resampling that accumulates into zeros does, so −0 reads as +0 and the two agree bit for bit.
    public func translated(by shifts: [(row: Int, column: Int)]) -> Tensor {
        precondition(rank == 4 && shifts.count == shape[0], "translated: \(shifts.count) shifts for images \(shape)")
        let opposite = shifts.map { (row: -$0.row, column: -$0.column) }
        return Tensor.record(shiftedCopy(shifts), inputs: [self]) { g in
            [GradientMode.isRecording ? g.translated(by: opposite) : g.shiftedCopy(opposite)]
        }
    }

    /// The translation of `translated(by:)`, unrecorded: one run of each row copied, the rest left zero.
    func shiftedCopy(_ shifts: [(row: Int, column: Int)]) -> Tensor {
        let (channels, height, width) = (shape[1], shape[2], shape[3])
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { x in
                let (source, target) = (x.baseAddress!, out.baseAddress!)
                Parallel.forEach(shape[0] * channels, work: count) { plane in
                    let shift = shifts[plane / channels], offset = plane * height * width
                    let rows = Tensor.overlap(shift.row, extent: height), columns = Tensor.overlap(shift.column, extent: width)
                    guard !rows.isEmpty, !columns.isEmpty else { return }
                    for i in rows {
                        let from = source + offset + (i + shift.row) * width + shift.column, to = target + offset + i * width
                        for j in columns { to[j] = 0 + from[j] }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// The output indices i in 0..<extent whose source i + shift is also in 0..<extent.
    static func overlap(_ shift: Int, extent: Int) -> Range<Int> {
        let (lower, upper) = (max(0, -shift), min(extent, extent - shift))
        return lower < upper ? lower..<upper : 0..<0
    }
}
