import Data
import Foundation
import Results
import Metrics
import Models
import NN
import TensorCore

/// Measures a generator the same way at every evaluation: `samples` images from a fixed latent stream
/// (so evaluations do not disturb training randomness), features from the run's extractor, FID and KID
/// against the reference split, IS from the extractor's logits.
public final class Evaluator {
    public let extractor: any FeatureExtractor
    public let reference: GaussianStatistics
    public let referenceFeatures: FeatureSet
    public let metricProtocol: MetricProtocol
    let config: ExperimentConfig.EvaluationSection
    let seed: UInt64

    public init(extractor: any FeatureExtractor, referenceData: Dataset, referenceName: String, config: ExperimentConfig.EvaluationSection,
                seed: UInt64, cacheFolder: String) throws {
        self.extractor = extractor
        self.config = config
        self.seed = seed
        let count = config.referenceCount > 0 ? min(config.referenceCount, referenceData.count) : referenceData.count
        let key = ReferenceStatisticsCache.Key(datasetFingerprint: referenceData.fingerprint, split: referenceData.split,
                                               extractorHash: extractor.hash, count: count)
        let cache = ReferenceStatisticsCache(folder: cacheFolder)
        let referenceFeatures = try cache.features(for: key, source: referenceName) {
            let (features, logits) = extractor.extract(referenceData.images(0..<count), count: count, imageShape: referenceData.imageShape)
            return FeatureSet(features: features, logits: logits, count: count, dimension: extractor.featureDimension,
                              classes: extractor.classCount, extractor: extractor.extractorName,
                              extractorHash: extractor.hash, source: referenceName)
        }
        self.referenceFeatures = referenceFeatures
        reference = try cache.statistics(for: key) {
            GaussianStatistics(features: referenceFeatures.features, count: count, dimension: extractor.featureDimension)
        }
        metricProtocol = MetricProtocol(extractor: extractor.extractorName, extractorHash: extractor.hash, sampleCount: config.samples,
                                        reference: referenceName, referenceCount: count, isSplits: config.isSplits,
                                        kidSubsets: config.kidSubsets, kidSubsetSize: config.kidSubsetSize)
    }

    public struct Scores: Codable, Equatable, Sendable {
        public var fid: Double
        public var isMean: Double
        public var isStd: Double
        public var kidMean: Double
        public var kidStd: Double
    }

    /// `samples` images of the generator in evaluation mode, from the stream (seed, "eval/latents").
    public func samples(_ generator: any Generator, count: Int? = nil, batch: Int = 250) -> Tensor {
        let n = count ?? config.samples
        var latents = RandomStream(seed: seed, name: "eval/latents"), labels = RandomStream(seed: seed, name: "eval/labels")
        var values: [Float] = []
        var start = 0
        while start < n {
            let size = min(batch, n - start)
            let z = Tensor.randomNormal([size, generator.latentDimension], stream: &latents)
            let classes = generator.classCount > 0 ? (0..<size).map { _ in labels.integer(in: 0...(generator.classCount - 1)) } : nil
            values += withoutGradients { generator(z, classes: classes, .evaluation) }.scalars
            start += size
        }
        return Tensor(shape: [n] + generator.imageShape, scalars: values)
    }

    public func scores(of generator: any Generator) throws -> Scores { try scores(of: samples(generator)) }

    /// Scores of images already drawn with `samples(_:)`.
    public func scores(of images: Tensor) throws -> Scores {
        let n = images.shape[0]
        let (features, logits) = extractor.extract(images.scalars, count: n, imageShape: Array(images.shape.dropFirst()))
        let generated = FeatureSet(features: features, logits: logits, count: n, dimension: extractor.featureDimension,
                                   classes: extractor.classCount, extractor: extractor.extractorName,
                                   extractorHash: extractor.hash, source: "generator")
        let fid = try FrechetDistance.distance(GaussianStatistics(features: features, count: n, dimension: generated.dimension), reference)
        // An extractor without a classifier (the TorchScript FID graph) gives no Inception Score: NaN, left out of tables.
        let inception = generated.classes > 0
            ? try InceptionScore.score(logits: logits, count: n, classes: generated.classes, splits: config.isSplits) : (mean: .nan, std: .nan)
        let kid = try KernelInceptionDistance.distance(generated, referenceFeatures, subsets: config.kidSubsets,
                                                       subsetSize: config.kidSubsetSize, seed: seed)
        return Scores(fid: fid, isMean: inception.mean, isStd: inception.std, kidMean: kid.mean, kidStd: kid.std)
    }

    /// Fraction of images that D scores above 0 (Figure 1's "D accuracy" on reals), evaluation mode.
    public static func realAccuracy(_ discriminator: any Discriminator, images: [Float], labels: [Int]?, imageShape: [Int],
                                    batch: Int = 250) -> Double {
        let size = imageShape.reduce(1, *), n = images.count / size
        guard n > 0 else { return .nan }
        var positive = 0, start = 0
        while start < n {
            let count = min(batch, n - start)
            let x = Tensor(shape: [count] + imageShape, scalars: Array(images[(start * size)..<((start + count) * size)]))
            let classes = discriminator.classCount > 0 ? labels.map { Array($0[start..<(start + count)]) } : nil
            positive += withoutGradients { discriminator(x, classes: classes, .evaluation) }.scalars.filter { $0 > 0 }.count
            start += count
        }
        return Double(positive) / Double(n)
    }
}
