import Foundation
import TensorCore

/// Where a strategy applies the augmentation T (PAPER.md §1). Every strategy, the baseline included,
/// also flips reals horizontally with p = 0.5 when batches are drawn; that flip is not part of T.
public enum Strategy: String, Codable, CaseIterable, Sendable {
    /// The baseline: no T anywhere.
    case none
    /// D(T(x)) and D(G(z)) in the D step; G learns the augmented distribution.
    case realsOnly = "reals-only"
    /// D(T(x)) and D(T(G(z))) in the D step only; the G step sees D(G(z)).
    case dOnly = "d-only"
    /// T on reals and fakes in both steps, gradients flowing through T into G.
    case diffaugment
    /// DiffAugment's placement, but each image is augmented with an adaptive probability p (after ADA).
    case adaptive

    public var augmentsRealsInD: Bool { self != .none }
    public var augmentsFakesInD: Bool { self == .dOnly || self == .diffaugment || self == .adaptive }
    public var augmentsFakesInG: Bool { self == .diffaugment || self == .adaptive }
}

/// Consistency regularisation (CR-BigGAN, Zhang et al. 2020): λ·mean((D(a) − D(b))²) between two views
/// of the same reals; by default a = flip + translation of x, b = x.
public struct ConsistencyRegularization: Codable, Equatable, Sendable {
    public var weight: Float = 10
    /// The policy producing view a (applied to reals).
    public var viewPolicy = "flip,translation"
    /// The policy producing view b ("" = the reals themselves).
    public var referencePolicy = ""

    public init(weight: Float = 10, viewPolicy: String = "flip,translation", referencePolicy: String = "") {
        self.weight = weight
        self.viewPolicy = viewPolicy
        self.referencePolicy = referencePolicy
    }

    /// λ·mean((a − b)²) for D's scores of the two views.
    public func loss(scoresA: Tensor, scoresB: Tensor) -> Tensor {
        let difference = scoresA - scoresB
        return (difference * difference).mean() * weight
    }
}

/// The adaptive probability p of the `adaptive` strategy (after StyleGAN2-ADA): every `interval`
/// iterations, r = E[sign(D(reals))] over the interval moves p by sign(r − target)·(images seen in the
/// interval)/`imagesToSaturate`, clamped to [0, 1], so p can go from 0 to 1 in `imagesToSaturate` images.
public struct AdaptiveProbability: Codable, Equatable, Sendable {
    public var probability: Double = 0
    public var target: Double = 0.6
    public var interval: Int = 4
    public var imagesToSaturate: Double = 500_000
    /// Σ sign(D(x)) and the number of scores since the last adjustment.
    public private(set) var signSum: Double = 0
    public private(set) var scoreCount = 0
    public private(set) var iterationsSinceAdjustment = 0
    /// The r of the last adjustment (for logs).
    public private(set) var lastOverfittingMeasure: Double?

    public init(target: Double = 0.6, interval: Int = 4, imagesToSaturate: Double = 500_000) {
        self.target = target
        self.interval = interval
        self.imagesToSaturate = imagesToSaturate
    }

    /// Records D's raw scores on one batch of reals (a D step).
    public mutating func observe(realScores: [Float]) {
        signSum += realScores.reduce(0.0) { $0 + ($1 > 0 ? 1 : $1 < 0 ? -1 : 0) }
        scoreCount += realScores.count
    }

    /// Ends a training iteration of `batchSize` images; adjusts p once every `interval` iterations.
    public mutating func endIteration(batchSize: Int) {
        iterationsSinceAdjustment += 1
        guard iterationsSinceAdjustment >= interval, scoreCount > 0 else { return }
        let r = signSum / Double(scoreCount)
        let step = Double(batchSize * iterationsSinceAdjustment) / imagesToSaturate
        probability = min(1, max(0, probability + (r > target ? step : r < target ? -step : 0)))
        lastOverfittingMeasure = r
        signSum = 0
        scoreCount = 0
        iterationsSinceAdjustment = 0
    }

    /// Applies `policy` to each image with probability p: y = m·T(x) + (1 − m)·x, m ∈ {0, 1} per image.
    public func apply(_ policy: Policy, to x: Tensor, settings: AugmentSettings = AugmentSettings(),
                      stream: inout RandomStream) -> Tensor {
        let n = x.shape[0]
        let chosen = (0..<n).map { _ in Double(stream.uniform()) < probability ? Float(1) : 0 }
        let augmented = policy(x, settings: settings, stream: &stream)
        guard chosen.contains(1) else { return x }
        let mask = Tensor(shape: [n, 1, 1, 1], scalars: chosen)
        return augmented.masked(by: mask) + x.masked(by: 1 - mask)
    }
}
