import Foundation
import Metrics

/// Why a run's FID is what it is (`evaluation.explain`), measured on its final generator: precision, recall,
/// density and coverage against the reference; memorisation of the training set in features and in pixels;
/// the augmentation artefacts its samples show beside the same share in its training data; and how often its
/// samples fit the training set better turned or mirrored, beside held-out reals (absent in runs explained
/// before it was measured).
public struct Explanations: Codable, Equatable, Sendable {
    public var iteration: Int
    public var precisionRecall: PrecisionRecall.Scores
    public var memorisationFeatures: Memorisation.Scores
    public var memorisationPixels: Memorisation.Scores
    public var leakageGenerated: AugmentationLeakage.Shares
    public var leakageTraining: AugmentationLeakage.Shares
    public var orientationGenerated: OrientationLeakage.Shares?
    public var orientationHeldOut: OrientationLeakage.Shares?
    public var seconds: Double

    public init(iteration: Int, precisionRecall: PrecisionRecall.Scores, memorisationFeatures: Memorisation.Scores,
                memorisationPixels: Memorisation.Scores, leakageGenerated: AugmentationLeakage.Shares,
                leakageTraining: AugmentationLeakage.Shares, orientationGenerated: OrientationLeakage.Shares? = nil,
                orientationHeldOut: OrientationLeakage.Shares? = nil, seconds: Double) {
        self.iteration = iteration
        self.precisionRecall = precisionRecall
        self.memorisationFeatures = memorisationFeatures
        self.memorisationPixels = memorisationPixels
        self.leakageGenerated = leakageGenerated
        self.leakageTraining = leakageTraining
        self.orientationGenerated = orientationGenerated
        self.orientationHeldOut = orientationHeldOut
        self.seconds = seconds
    }
}
