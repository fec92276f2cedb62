import TensorCore

/// Orientation statistics for the rotation and flip policies (the paper's Figure 9): a generator that learned
/// the augmented distribution (reals-only with `rotation` or `flip`) draws turned or mirrored images more
/// often than its data holds them.
///
/// An image x (NCHW in [−1, 1]) is matched against reference images R (the training set) in every
/// orientation: with d(y) = min_{r ∈ R} ‖y − r‖ in pixels, x reads as turned when some quarter turn fits
/// clearly better than upright, min_{k ∈ 1…3} d(rot90ᵏ x) < (1 − m)·d(x) (square images only), and as
/// mirrored when d(flip x) < (1 − m)·d(x), with the margin m = 0.1. Without it, items that look alike
/// mirrored or half-turned (most clothes, trousers, bags) read as mirrored or turned by a coin toss whenever
/// no training image fits them closely, as with any generator's novel samples (measured: real test images
/// 21% mirrored without the margin, 3% with it; the same images blurred 24% and 1%; flipped 79% and 44%).
/// Reported as shares of images, beside the same shares of held-out reals (images the model never saw,
/// matched against the same reference): a generator that draws the data's orientations scores like them.
public enum OrientationLeakage {
    /// m: how much closer (as a share of d(x)) another orientation must fit.
    public static let defaultMargin = 0.1

    public struct Shares: Codable, Equatable, Sendable {
        /// Share of images that fit the reference clearly better after a quarter turn (nil for non-square images).
        public var turned: Double?
        /// Share of images that fit the reference clearly better mirrored.
        public var mirrored: Double
    }

    public static func shares(_ images: [Float], count: Int, channels: Int, height: Int, width: Int,
                              reference: [Float], referenceCount: Int, margin: Double = defaultMargin) -> Shares {
        let size = channels * height * width
        precondition(images.count == count * size && reference.count == referenceCount * size,
                     "orientation: images and reference must be [N, \(channels), \(height), \(width)]")
        func distances(_ source: ((Int, Int) -> (Int, Int))?) -> [Double] {
            let rows = source.map { transform(images, count: count, channels: channels, height: height, width: width, source: $0) } ?? images
            return Memorisation.nearest(rows, count: count, in: reference, trainingCount: referenceCount, dimension: size).map(\.distance)
        }
        let upright = distances(nil)
        let mirrored = distances { i, j in (i, width - 1 - j) }
        var turned: Double?
        if height == width {
            let turns = (1...3).map { k in distances { i, j in PlaneIndexing.quarterTurnSource(i, j, side: width, quarterTurns: k) } }
            turned = share(count) { n in turns.contains { $0[n] < (1 - margin) * upright[n] } }
        }
        return Shares(turned: turned, mirrored: share(count) { mirrored[$0] < (1 - margin) * upright[$0] })
    }

    static func share(_ count: Int, _ holds: (Int) -> Bool) -> Double {
        Double((0..<count).filter(holds).count) / Double(max(count, 1))
    }

    /// y[n, c, i, j] = x[n, c, source(i, j)] for every image and channel.
    static func transform(_ x: [Float], count: Int, channels: Int, height: Int, width: Int,
                          source: (Int, Int) -> (Int, Int)) -> [Float] {
        let map = (0..<(height * width)).map { p in source(p / width, p % width) }.map { $0.0 * width + $0.1 }
        var y = x
        for plane in 0..<(count * channels) {
            let base = plane * height * width
            for p in map.indices { y[base + p] = x[base + map[p]] }
        }
        return y
    }
}
