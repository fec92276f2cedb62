import Foundation

/// Where a run's wall time went, in seconds (kept in result.json, printed when the run ends).
public struct TimeSplit: Codable, Equatable, Sendable {
    /// GAN steps (D and G updates, augmentation, EMA).
    public var training = 0.0
    /// Drawing the evaluation samples from the EMA generator.
    public var sampling = 0.0
    /// Features of the samples and FID, IS, KID against the reference.
    public var metrics = 0.0
    /// D's accuracy on training and held-out reals.
    public var discriminatorAccuracy = 0.0
    /// Writing checkpoints (latest and best).
    public var checkpoints = 0.0
    /// Writing sample grids.
    public var sampleGrids = 0.0

    public init() {}

    public var evaluation: Double { sampling + metrics + discriminatorAccuracy }
    public var total: Double { training + evaluation + checkpoints + sampleGrids }

    /// "training 11m02s (92%), evaluation 48s (7%: sampling 5s, metrics 38s, D accuracy 5s), checkpoints 6s, sample grids 1s".
    public var summary: String {
        func share(_ seconds: Double) -> String { String(format: "%.0f%%", 100 * seconds / max(total, 1e-9)) }
        let d = DurationText.format
        return "training \(d(training)) (\(share(training))), evaluation \(d(evaluation)) (\(share(evaluation)): sampling \(d(sampling)), "
            + "metrics \(d(metrics)), D accuracy \(d(discriminatorAccuracy))), checkpoints \(d(checkpoints)), sample grids \(d(sampleGrids))"
    }

    static let keys = ["training", "sampling", "metrics", "d-accuracy", "checkpoints", "sample-grids"]
    var values: [Double] { [training, sampling, metrics, discriminatorAccuracy, checkpoints, sampleGrids] }

    /// As checkpoint doubles ("time.training", …), so a resumed run keeps counting.
    public var checkpointValues: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(Self.keys.map { "time.\($0)" }, values))
    }

    public init(checkpointValues: [String: Double]) {
        let v = Self.keys.map { checkpointValues["time.\($0)"] ?? 0 }
        (training, sampling, metrics, discriminatorAccuracy, checkpoints, sampleGrids) = (v[0], v[1], v[2], v[3], v[4], v[5])
    }
}

/// Durations as people read them: "12m05s", "1h42m", "2.5 days".
public enum DurationText {
    public static func format(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 86_400 { return String(format: "%.1f days", seconds / 86_400) }
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
