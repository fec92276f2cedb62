import Augment
import Data
import Foundation
import Results
import Models
import NN
import TensorCore

/// A run that diverged: the reason names the quantity and the iteration.
public struct RunFailure: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// Everything a GAN run keeps between iterations, and one training iteration: `d_steps` D steps, then one
/// G step, with T applied where the strategy says (PAPER.md §1), then the EMA update.
public final class TrainingRun {
    public let config: ExperimentConfig
    public let generator: any Generator
    public let discriminator: any Discriminator
    /// The EMA of G (nil when `ema_decay` is 0).
    public let average: (any Generator)?
    let ema: ExponentialMovingAverage?
    let gOptimizer: Adam, dOptimizer: Adam
    let strategy: Strategy
    let policy: Policy
    let consistency: ConsistencyRegularization?
    let consistencyView: Policy
    public private(set) var ada: AdaptiveProbability
    var latents: RandomStream, fakeLabels: RandomStream, augmentation: RandomStream
    public var sampler: BatchSampler
    public private(set) var iteration = 0
    /// The architecture of G and D (to build another generator of the same shape).
    let spec: ModelSpec
    /// Loss sums since the last evaluation.
    var lossSums = (d: 0.0, g: 0.0, count: 0)

    public init(config: ExperimentConfig, trainIndices: [Int], imageChannels: Int, classes: Int) throws {
        self.config = config
        let seed = UInt64(config.training.seed)
        spec = ModelSpec(architecture: config.model.architecture, baseWidth: config.model.width,
                             sizeMultiplier: config.model.size, imageChannels: imageChannels,
                             classes: config.model.conditional ? classes : 0)
        var initStream = RandomStream(seed: seed, name: "init")
        generator = spec.makeGenerator(stream: &initStream)
        discriminator = spec.makeDiscriminator(stream: &initStream)
        if config.training.emaDecay > 0 {
            let copy = spec.makeGenerator(stream: &initStream)
            ema = try ExponentialMovingAverage(average: copy, of: generator, decay: Float(config.training.emaDecay),
                                               startIteration: config.training.emaStart)
            average = copy
        } else {
            average = nil
            ema = nil
        }
        let t = config.training
        gOptimizer = Adam(parameters: generator.namedParameters(), learningRate: Float(t.learningRateG),
                          beta1: Float(t.beta1), beta2: Float(t.beta2))
        dOptimizer = Adam(parameters: discriminator.namedParameters(), learningRate: Float(t.learningRateD),
                          beta1: Float(t.beta1), beta2: Float(t.beta2))
        strategy = config.augment.strategy
        policy = try Policy(config.augment.policy)
        consistency = config.augment.consistencyWeight > 0 ? ConsistencyRegularization(weight: Float(config.augment.consistencyWeight)) : nil
        consistencyView = try Policy(ConsistencyRegularization().viewPolicy)
        ada = AdaptiveProbability(target: config.augment.adaTarget, interval: config.augment.adaInterval,
                                  imagesToSaturate: config.augment.adaImages)
        latents = RandomStream(seed: seed, name: "latents")
        fakeLabels = RandomStream(seed: seed, name: "fake-labels")
        augmentation = RandomStream(seed: seed, name: "augment")
        sampler = BatchSampler(indices: trainIndices, seed: seed)
    }

    /// T(x) for this strategy: always for DiffAugment-like strategies, with probability p for `adaptive`.
    func augmented(_ x: Tensor) -> Tensor {
        OpProfile.region("augmentation (forward)") {
            strategy == .adaptive ? ada.apply(policy, to: x, stream: &augmentation) : policy(x, stream: &augmentation)
        }
    }

    func randomClasses(_ count: Int) -> [Int]? {
        generator.classCount > 0 ? (0..<count).map { _ in fakeLabels.integer(in: 0...(generator.classCount - 1)) } : nil
    }

    func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        config.training.loss == .hinge ? Loss.hingeDiscriminator(real: real, fake: fake)
                                        : Loss.nonSaturatingDiscriminator(real: real, fake: fake)
    }

    func generatorLoss(fake: Tensor) -> Tensor {
        config.training.loss == .hinge ? Loss.hingeGenerator(fake: fake) : Loss.nonSaturatingGenerator(fake: fake)
    }

    /// One training iteration on `train` (the full split; the sampler holds the subset's indices).
    public func step(_ train: Dataset) throws {
        let batch = config.training.batchSize
        for _ in 0..<config.training.dSteps {
            let (reals, labels) = OpProfile.region("sample a batch") { sampler.next(batch, from: train) }
            let realClasses = generator.classCount > 0 ? labels : nil
            let z = Tensor.randomNormal([batch, generator.latentDimension], stream: &latents)
            let fakeClasses = randomClasses(batch)
            let fakes = withoutGradients { generator(z, classes: fakeClasses, .training) }
            let realScores = discriminator(strategy.augmentsRealsInD ? augmented(reals) : reals, classes: realClasses, .training)
            let fakeScores = discriminator(strategy.augmentsFakesInD ? augmented(fakes) : fakes, classes: fakeClasses, .training)
            var loss = discriminatorLoss(real: realScores, fake: fakeScores)
            if let consistency {
                let view = consistencyView(reals, stream: &augmentation)
                let plain = strategy.augmentsRealsInD ? discriminator(reals, classes: realClasses, .training) : realScores
                loss = loss + consistency.loss(scoresA: discriminator(view, classes: realClasses, .training), scoresB: plain)
            }
            guard loss.scalar.isFinite else { throw RunFailure(reason: "D loss became \(loss.scalar) at iteration \(iteration + 1)") }
            ada.observe(realScores: realScores.scalars)
            loss.backward()
            OpProfile.region("Adam update (D)") { dOptimizer.update() }
            lossSums.d += Double(loss.scalar)
        }
        let z = Tensor.randomNormal([batch, generator.latentDimension], stream: &latents)
        let fakeClasses = randomClasses(batch)
        // D's weights get no gradient in the G step (only G is updated), so none is computed.
        let loss = try discriminator.withFrozenParameters {
            let fakes = generator(z, classes: fakeClasses, .training)
            let loss = generatorLoss(fake: discriminator(strategy.augmentsFakesInG ? augmented(fakes) : fakes,
                                                         classes: fakeClasses, .training))
            guard loss.scalar.isFinite else { throw RunFailure(reason: "G loss became \(loss.scalar) at iteration \(iteration + 1)") }
            loss.backward()
            return loss
        }
        OpProfile.region("Adam update (G)") { gOptimizer.update() }
        lossSums.g += Double(loss.scalar)
        lossSums.count += 1
        if strategy == .adaptive { ada.endIteration(batchSize: batch) }
        iteration += 1
        ema?.update(from: generator, iteration: iteration)
    }

    /// Mean losses since the last call, then reset.
    func takeMeanLosses() -> (d: Double, g: Double) {
        defer { lossSums = (0, 0, 0) }
        let n = Double(max(lossSums.count, 1))
        return (lossSums.d / n / Double(config.training.dSteps), lossSums.g / n)
    }

    /// A new generator of this run's architecture (weights from its initialiser; load a checkpoint into it).
    func makeGenerator() -> any Generator {
        var unused = RandomStream(seed: 0, name: "unused")
        return spec.makeGenerator(stream: &unused)
    }

    /// The generator evaluations use: the EMA when there is one.
    public var evaluatedGenerator: any Generator { average ?? generator }
}

// MARK: - Checkpoints

extension TrainingRun {
    public func checkpoint(extra: [String: Double] = [:]) throws -> Checkpoint {
        var c = Checkpoint()
        c.store(generator, as: "G")
        c.store(discriminator, as: "D")
        if let average { c.store(average, as: "G_ema") }
        c.store(gOptimizer, as: "optimizer.G")
        c.store(dOptimizer, as: "optimizer.D")
        c.streams = ["latents": latents, "fake-labels": fakeLabels, "augment": augmentation, "flips": sampler.state.flips]
        c.integers.merge(["iteration": Int64(iteration), "sampler.epoch": Int64(sampler.state.epoch),
                          "sampler.position": Int64(sampler.state.position), "loss.count": Int64(lossSums.count)]) { _, new in new }
        c.doubles.merge(extra.merging(["loss.d": lossSums.d, "loss.g": lossSums.g]) { a, _ in a }) { _, new in new }
        c.strings["ada"] = String(decoding: try JSONEncoder().encode(ada), as: UTF8.self)
        return c
    }

    public func restore(_ c: Checkpoint) throws {
        try c.restore(generator, from: "G")
        try c.restore(discriminator, from: "D")
        if let average { try c.restore(average, from: "G_ema") }
        try c.restore(gOptimizer, from: "optimizer.G")
        try c.restore(dOptimizer, from: "optimizer.D")
        guard let latents = c.streams["latents"], let fakeLabels = c.streams["fake-labels"], let augmentation = c.streams["augment"],
              let flips = c.streams["flips"], let iteration = c.integers["iteration"], let epoch = c.integers["sampler.epoch"],
              let position = c.integers["sampler.position"], let ada = c.strings["ada"] else {
            throw StateError(message: "checkpoint lacks training state (streams, counters or adaptive p)")
        }
        self.latents = latents
        self.fakeLabels = fakeLabels
        self.augmentation = augmentation
        sampler.restore(BatchSampler.State(epoch: Int(epoch), position: Int(position), flips: flips))
        self.iteration = Int(iteration)
        self.ada = try JSONDecoder().decode(AdaptiveProbability.self, from: Data(ada.utf8))
        lossSums = (c.doubles["loss.d"] ?? 0, c.doubles["loss.g"] ?? 0, Int(c.integers["loss.count"] ?? 0))
    }
}
