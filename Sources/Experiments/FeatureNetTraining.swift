import Augment
import Data
import Foundation
import Models
import NN
import TensorCore

/// Deterministic training of the FeatureNet classifier: Adam, a cosine learning-rate schedule, batches of
/// the whole training split (baseline flips, plus translation for colour datasets), accuracy measured on
/// the test split.
public struct FeatureNetTraining {
    public var dataset: DatasetSpec
    public var epochs = 4
    public var batchSize = 128
    public var learningRate: Float = 2e-3
    public var width = 32
    public var featureDimension = 128
    public var seed: UInt64 = 0

    public init(dataset: DatasetSpec) { self.dataset = dataset }

    public struct Outcome {
        public let network: FeatureNet
        public let testAccuracy: Double
        public let trainFingerprint: String
        public let seconds: Double
    }

    /// Trains and evaluates; `progress(epoch, step, steps, loss)` is called every 50 steps.
    public func run(progress: (Int, Int, Int, Float) -> Void = { _, _, _, _ in }) throws -> Outcome {
        let start = Date()
        let train = try DatasetCatalog.load(dataset, split: "train")
        let test = try DatasetCatalog.load(dataset, split: "test")
        var initStream = RandomStream(seed: seed, name: "featurenet/init")
        let network = FeatureNet(channels: train.channels, classes: train.classCount, width: width,
                                 featureDimension: featureDimension, stream: &initStream)
        let adam = Adam(parameters: network.namedParameters(), learningRate: learningRate)
        var sampler = BatchSampler(indices: Array(0..<train.count), seed: seed)
        var shifts = RandomStream(seed: seed, name: "featurenet/translation")
        let stepsPerEpoch = train.count / batchSize, totalSteps = epochs * stepsPerEpoch
        for step in 0..<totalSteps {
            adam.learningRate = learningRate * Float(0.5 * (1 + cos(Double.pi * Double(step) / Double(totalSteps))))
            var (images, labels) = sampler.next(batchSize, from: train)
            if train.channels == 3 { images = Self.translate(images, stream: &shifts) }
            let loss = Loss.crossEntropy(logits: network(images, .training).logits, labels: labels!)
            loss.backward()
            adam.update()
            if step % 50 == 0 { progress(step / stepsPerEpoch, step % stepsPerEpoch, stepsPerEpoch, loss.scalar) }
        }
        let accuracy = Self.accuracy(network, on: test)
        return Outcome(network: network, testAccuracy: accuracy, trainFingerprint: train.fingerprint,
                       seconds: Date().timeIntervalSince(start))
    }

    /// Shifts each image by up to 4 pixels (zero fill), as CIFAR classifiers are usually trained: DiffAugment's
    /// translation op with shifts drawn per image (row, then column) from `stream`.
    static func translate(_ images: Tensor, stream: inout RandomStream) -> Tensor {
        let shifts = (0..<images.shape[0]).map { _ in (row: stream.integer(in: -4...4), column: stream.integer(in: -4...4)) }
        return withoutGradients { GeometricOps.translation(images, shifts) }
    }

    /// Fraction of the split's images whose largest logit is their label.
    public static func accuracy(_ network: FeatureNet, on data: Dataset, batchSize: Int = 500) -> Double {
        guard let labels = data.labels else { return .nan }
        var correct = 0, start = 0
        while start < data.count {
            let n = min(batchSize, data.count - start)
            let batch = Tensor(shape: [n] + data.imageShape, scalars: data.images(start..<(start + n)))
            let logits = withoutGradients { network(batch, .evaluation).logits }
            let k = logits.shape[1]
            for row in 0..<n {
                let scores = logits.scalars[(row * k)..<((row + 1) * k)]
                if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * k == labels[start + row] { correct += 1 }
            }
            start += n
        }
        return Double(correct) / Double(data.count)
    }
}
