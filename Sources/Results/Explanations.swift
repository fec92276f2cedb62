import Foundation
import Metrics

/// Why a run's FID is what it is (`evaluation.explain`), measured on its final generator: precision, recall,
/// density and coverage against the reference; memorisation of the training set in features and in pixels;
/// and the augmentation artefacts its samples show beside the same share in its training data.
public struct Explanations: Codable, Equatable, Sendable {
    public var iteration: Int
    public var precisionRecall: PrecisionRecall.Scores
    public var memorisationFeatures: Memorisation.Scores
    public var memorisationPixels: Memorisation.Scores
    public var leakageGenerated: AugmentationLeakage.Shares
    public var leakageTraining: AugmentationLeakage.Shares
    public var seconds: Double

    public init(iteration: Int, precisionRecall: PrecisionRecall.Scores, memorisationFeatures: Memorisation.Scores,
                memorisationPixels: Memorisation.Scores, leakageGenerated: AugmentationLeakage.Shares,
                leakageTraining: AugmentationLeakage.Shares, seconds: Double) {
        self.iteration = iteration
        self.precisionRecall = precisionRecall
        self.memorisationFeatures = memorisationFeatures
        self.memorisationPixels = memorisationPixels
        self.leakageGenerated = leakageGenerated
        self.leakageTraining = leakageTraining
        self.seconds = seconds
    }
}
