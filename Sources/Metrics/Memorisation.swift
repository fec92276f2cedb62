import Foundation

/// How close generated samples come to the training set, measured against held-out reals (which the model
/// never saw): d_g(i) = min over training images t of ‖g_i − t‖, d_h(k) = min_t ‖h_k − t‖ (features or pixels).
/// `share` is the fraction of samples nearer to a training image than any held-out real is (d_g < min_k d_h):
/// a generator that copies its training set scores near 1, one that generalises near 0. `ratio` is
/// median d_g / median d_h (below 1: samples sit closer to the training set than unseen reals do).
public enum Memorisation {
    public struct Scores: Codable, Equatable, Sendable {
        public var share: Double
        public var ratio: Double
        /// min_k d_h, the threshold of `share`.
        public var heldOutMinimum: Double
    }

    /// Each row's nearest row of `training`: its index and distance.
    public static func nearest(_ rows: [Float], count: Int, in training: [Float], trainingCount: Int, dimension: Int)
        -> [(index: Int, distance: Double)] {
        var result = [(index: Int, distance: Double)](repeating: (0, .infinity), count: count)
        DistanceBlocks(rows, rows: count, training, rows: trainingCount, dimension: dimension).forEachBlock { first, distances in
            for row in 0..<(distances.count / trainingCount) {
                for column in 0..<trainingCount where distances[row * trainingCount + column] < result[first + row].distance {
                    result[first + row] = (column, distances[row * trainingCount + column])
                }
            }
        }
        return result
    }

    public static func scores(generated: [Float], generatedCount: Int, training: [Float], trainingCount: Int,
                              heldOut: [Float], heldOutCount: Int, dimension: Int) throws -> Scores {
        guard generatedCount > 0, trainingCount > 0, heldOutCount > 0 else {
            throw MetricError("memorisation needs generated, training and held-out rows (have \(generatedCount), \(trainingCount), \(heldOutCount))")
        }
        let toTraining = nearest(generated, count: generatedCount, in: training, trainingCount: trainingCount, dimension: dimension).map(\.distance)
        let heldOutDistances = nearest(heldOut, count: heldOutCount, in: training, trainingCount: trainingCount, dimension: dimension).map(\.distance)
        let threshold = heldOutDistances.min()!
        return Scores(share: Double(toTraining.filter { $0 < threshold }.count) / Double(generatedCount),
                      ratio: median(toTraining) / max(median(heldOutDistances), .leastNormalMagnitude), heldOutMinimum: threshold)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// Artefacts of DiffAugment's geometric ops in images (NCHW in [−1, 1]): both fill with 0, mid-grey.
/// - cutout: a square of at least `minimumSide` pixels (8 at 32×32: the smallest visible hole of a 16×16
///   cutout at the image's corner) whose every value is within `tolerance` of 0 in every channel;
/// - translation: a band of 1…`maximumShift` whole rows or columns at an edge (4 at 32×32: translation's
///   largest shift) within `tolerance` of 0.
/// Reported as the share of images showing each, beside the same share in the training data: a generator
/// that learned the augmented distribution (reals-only) shows them more often than its data does.
public enum AugmentationLeakage {
    public struct Shares: Codable, Equatable, Sendable {
        public var cutout: Double
        public var translation: Double
    }

    public static func shares(_ images: [Float], count: Int, channels: Int, height: Int, width: Int, tolerance: Float = 0.1) -> Shares {
        var cutouts = 0, translations = 0
        let plane = height * width
        for n in 0..<count {
            var grey = [Bool](repeating: true, count: plane)
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for p in 0..<plane where abs(images[base + p]) > tolerance { grey[p] = false }
            }
            if hasSquare(grey, height: height, width: width, side: max(2, Int((Double(min(height, width)) * 0.25).rounded()))) { cutouts += 1 }
            if hasEdgeBand(grey, height: height, width: width, maximum: max(1, Int(Double(min(height, width)) * 0.125 + 0.5))) { translations += 1 }
        }
        return Shares(cutout: Double(cutouts) / Double(max(count, 1)), translation: Double(translations) / Double(max(count, 1)))
    }

    /// Whether a side×side block of the mask is all true (2-D prefix sums).
    static func hasSquare(_ mask: [Bool], height: Int, width: Int, side: Int) -> Bool {
        guard side <= height, side <= width else { return false }
        var sums = [Int](repeating: 0, count: (height + 1) * (width + 1))
        for i in 0..<height {
            for j in 0..<width {
                sums[(i + 1) * (width + 1) + j + 1] = (mask[i * width + j] ? 1 : 0) + sums[i * (width + 1) + j + 1]
                    + sums[(i + 1) * (width + 1) + j] - sums[i * (width + 1) + j]
            }
        }
        for i in side...height {
            for j in side...width {
                let total = sums[i * (width + 1) + j] - sums[(i - side) * (width + 1) + j] - sums[i * (width + 1) + j - side]
                    + sums[(i - side) * (width + 1) + j - side]
                if total == side * side { return true }
            }
        }
        return false
    }

    /// Whether the first or last row, or the first or last column, is entirely true (a band of width ≥ 1;
    /// `maximum` bounds what translation can leave, the band test needs only its outermost line).
    static func hasEdgeBand(_ mask: [Bool], height: Int, width: Int, maximum: Int) -> Bool {
        let rowAll = { (i: Int) in (0..<width).allSatisfy { mask[i * width + $0] } }
        let columnAll = { (j: Int) in (0..<height).allSatisfy { mask[$0 * width + j] } }
        return maximum >= 1 && (rowAll(0) || rowAll(height - 1) || columnAll(0) || columnAll(width - 1))
    }
}
