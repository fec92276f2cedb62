import Foundation
import TensorCore

/// Translation and cutout as DiffAugment defines them (PAPER.md §2), and the extra transforms of the
/// paper's Figure 9 study. Parameters are explicit per image; gradients flow to x only.
public enum GeometricOps {
    /// S = int(extent·ratio + 0.5): the largest shift of `translation` (ratio 0.125).
    public static func maximumShift(_ extent: Int, ratio: Double = 0.125) -> Int { Int(Double(extent) * ratio + 0.5) }

    /// The cutout side int(extent·ratio + 0.5) (ratio 0.5).
    public static func cutoutSize(_ extent: Int, ratio: Double = 0.5) -> Int { Int(Double(extent) * ratio + 0.5) }

    /// out[n, c, i, j] = x[n, c, i + rowShift, j + columnShift] inside the image, else 0.
    /// Pullback: a translation by the opposite shift. One row run is copied per image row
    /// (`Tensor.translated(by:)`): built as a per-pixel `SpatialMap`, the same values took the w32 step's
    /// augmentation 2.5 ms per iteration on one thread instead of 0.5 ms.
    public static func translation(_ x: Tensor, _ shifts: [(row: Int, column: Int)]) -> Tensor {
        x.translated(by: shifts)
    }

    /// The [N, 1, H, W] mask of cutout: zeros on rows [o_r − size_r/2, o_r − size_r/2 + size_r) × the same
    /// for columns (clipped to the image), ones elsewhere, for drawn offsets o.
    public static func cutoutMask(batch: Int, height: Int, width: Int, offsets: [(row: Int, column: Int)], ratio: Double = 0.5) -> Tensor {
        let (sizeH, sizeW) = (cutoutSize(height, ratio: ratio), cutoutSize(width, ratio: ratio))
        var mask = [Float](repeating: 1, count: batch * height * width)
        for (n, offset) in offsets.enumerated() {
            let top = offset.row - sizeH / 2, left = offset.column - sizeW / 2
            for i in max(0, top)..<min(height, top + sizeH) {
                for j in max(0, left)..<min(width, left + sizeW) { mask[(n * height + i) * width + j] = 0 }
            }
        }
        return Tensor(shape: [batch, 1, height, width], scalars: mask)
    }

    /// x ⊙ mask (every channel). Pullback: g ⊙ mask.
    public static func cutout(_ x: Tensor, _ offsets: [(row: Int, column: Int)], ratio: Double = 0.5) -> Tensor {
        x.masked(by: cutoutMask(batch: x.shape[0], height: x.shape[2], width: x.shape[3], offsets: offsets, ratio: ratio))
    }

    /// Mirrors the images whose flag is set: out[n, c, i, j] = x[n, c, i, W − 1 − j].
    public static func horizontalFlip(_ x: Tensor, _ flips: [Bool]) -> Tensor {
        let (h, w) = (x.shape[2], x.shape[3])
        var map = SpatialMap(batch: flips.count, height: h, width: w, taps: 1)
        for (n, flip) in flips.enumerated() {
            for i in 0..<h { for j in 0..<w { map.set(n, i, j, tap: 0, sourceRow: i, sourceColumn: flip ? w - 1 - j : j) } }
        }
        return x.resampled(map)
    }

    /// Rotates image n by quarterTurns[n]·90° anticlockwise (square images): one quarter turn gives
    /// out[i, j] = x[j, W − 1 − i].
    public static func rotation90(_ x: Tensor, _ quarterTurns: [Int]) -> Tensor {
        let (h, w) = (x.shape[2], x.shape[3])
        precondition(h == w, "rotation90 needs square images, got \(h)×\(w)")
        var map = SpatialMap(batch: quarterTurns.count, height: h, width: w, taps: 1)
        for (n, turns) in quarterTurns.enumerated() {
            for i in 0..<h {
                for j in 0..<w {
                    let source = PlaneIndexing.quarterTurnSource(i, j, side: w, quarterTurns: turns)
                    map.set(n, i, j, tap: 0, sourceRow: source.row, sourceColumn: source.column)
                }
            }
        }
        return x.resampled(map)
    }

    /// Isotropic scaling about the image centre with bilinear sampling: out(p) = x(c + (p − c)/s),
    /// zero outside the image (s > 1 zooms in).
    public static func scaling(_ x: Tensor, _ scales: [Float]) -> Tensor {
        let (h, w) = (x.shape[2], x.shape[3])
        var map = SpatialMap(batch: scales.count, height: h, width: w, taps: 4)
        let (centreRow, centreColumn) = (Float(h - 1) / 2, Float(w - 1) / 2)
        for (n, s) in scales.enumerated() {
            for i in 0..<h {
                for j in 0..<w {
                    let sourceRow = centreRow + (Float(i) - centreRow) / s
                    let sourceColumn = centreColumn + (Float(j) - centreColumn) / s
                    let (r0, c0) = (Int(sourceRow.rounded(.down)), Int(sourceColumn.rounded(.down)))
                    let (fr, fc) = (sourceRow - Float(r0), sourceColumn - Float(c0))
                    for (t, (dr, dc)) in [(0, 0), (0, 1), (1, 0), (1, 1)].enumerated() {
                        let weight = (dr == 0 ? 1 - fr : fr) * (dc == 0 ? 1 - fc : fc)
                        map.set(n, i, j, tap: t, sourceRow: r0 + dr, sourceColumn: c0 + dc, weight: weight)
                    }
                }
            }
        }
        return x.resampled(map)
    }

    /// x + noise for a drawn noise tensor of x's shape. Pullback: g.
    public static func gaussianNoise(_ x: Tensor, _ noise: Tensor) -> Tensor { x + noise }
}
