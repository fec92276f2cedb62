/// Figure 1's overfitting signal for one run: D's accuracy on its training reals minus its accuracy on
/// held-out reals, gap = (1/k) Σ (acc_train − acc_held-out) over the run's last k evaluations (k = 5, or
/// all of them when there are fewer). A discriminator that memorises its training set scores training reals
/// as real more often than unseen ones, so the gap grows; one that does not keeps it near 0.
public enum DiscriminatorGap {
    public static let evaluations = 5

    /// The gap over the last `evaluations` lines with finite D accuracies; nil when there is none.
    public static func late(_ lines: [MetricsLine], evaluations: Int = evaluations) -> Double? {
        let measured = lines.filter { $0.dAccuracyTrain.isFinite && $0.dAccuracyHeldOut.isFinite }
            .sorted { $0.iteration < $1.iteration }.suffix(evaluations)
        guard !measured.isEmpty else { return nil }
        return measured.map { $0.dAccuracyTrain - $0.dAccuracyHeldOut }.reduce(0, +) / Double(measured.count)
    }
}
