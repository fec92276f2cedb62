import Data
import Foundation
import Results
import Metrics
import Models
import TensorCore

/// The training workloads of the speed issue, timed on synthetic data (the arithmetic does not depend on
/// the pixels): iterations per second after a warm-up, and the process's peak resident memory.
public enum TrainStepBenchmark {
    public enum Workload: String, CaseIterable, Sendable {
        /// DCGAN 32×32×1, w = 64, batch 64, hinge, Adam 2e-4 (0.5, 0.999), DiffAugment color,translation,cutout, 1 D + 1 G step.
        case dcgan
        /// The CPU-scale studies' step (configs/cpu/base-fmnist.json): DCGAN 32×32×1, w = 32, batch 64, hinge,
        /// Adam 2e-4 (0.5, 0.999), DiffAugment translation,cutout, 1 D + 1 G step, and the EMA update of G (0.999).
        case cpu
        /// BigGAN-CIFAR at ch = 32, class-conditional, batch 50, 4 D + 1 G steps, DiffAugment translation,cutout.
        case biggan
        /// FeatureNet (w64, 128-d, 1 channel, evaluation mode) features of generated-size images, batches of 500:
        /// an "iteration" is one image.
        case features
        /// The FID Inception-v3 with the installed real weights (`weights/inception-v3-fid.h5`): pool features of
        /// synthetic 3×32×32 images, resized to 299×299, in batches of 50 after one warm-up batch (the protocol
        /// of `Benchmarks/peer/inception_speed.py`); an "iteration" is one image.
        case inception

        /// Whether the workload extracts features instead of training (no training config, no profile).
        public var extractsFeatures: Bool { self == .features || self == .inception }
    }

    public struct Measurement: Sendable {
        public let workload: Workload
        public let iterations: Int
        public let seconds: Double
        public let peakMemoryBytes: Int
        /// Per-op wall times of the timed iterations, longest first, when profiled.
        public var profile: [OpProfile.Entry] = []
        /// Convolution kernel calls by direction, shape and kernel, longest first, when profiled.
        public var kernelProfile: [OpProfile.KernelEntry] = []
        public var iterationsPerSecond: Double { Double(iterations) / seconds }
    }

    public static func config(_ workload: Workload) -> ExperimentConfig {
        var c = ExperimentConfig()
        c.training.emaDecay = 0
        c.training.loss = .hinge
        c.augment.strategy = .diffaugment
        switch workload {
        case .dcgan:
            c.model.architecture = .dcgan; c.model.width = 64
            c.training.batchSize = 64; c.training.dSteps = 1; c.training.beta1 = 0.5
            c.augment.policy = "color,translation,cutout"
        case .cpu:
            c.model.architecture = .dcgan; c.model.width = 32
            c.training.batchSize = 64; c.training.dSteps = 1; c.training.beta1 = 0.5
            c.training.emaDecay = 0.999; c.training.emaStart = 0
            c.augment.policy = "translation,cutout"
        case .biggan:
            c.model.architecture = .biggan; c.model.width = 32; c.model.conditional = true
            c.training.batchSize = 50; c.training.dSteps = 4; c.training.beta1 = 0
            c.augment.policy = "translation,cutout"
        case .features, .inception:
            preconditionFailure("the \(workload) workload trains nothing; it has no training config")
        }
        return c
    }

    /// With `profile`, the timed iterations also collect per-op times (`OpProfile`; training workloads only).
    public static func run(_ workload: Workload, iterations: Int, warmup: Int = 2, profile: Bool = false) throws -> Measurement {
        if workload == .features { return features(images: iterations) }
        if workload == .inception { return try inception(images: iterations) }
        let c = config(workload)
        let channels = workload == .biggan ? 3 : 1
        let data = Dataset.synthetic(count: 1024, channels: channels, height: 32, width: 32, classes: 10, seed: 0)
        let run = try TrainingRun(config: c, trainIndices: Array(0..<data.count), imageChannels: channels, classes: 10)
        for _ in 0..<warmup { try run.step(data) }
        let start = Date()
        let timed = { for _ in 0..<iterations { try run.step(data) } }
        var collected: (ops: [OpProfile.Entry], kernels: [OpProfile.KernelEntry]) = ([], [])
        if profile { collected = try OpProfile.measureWithKernels(timed) } else { try timed() }
        return Measurement(workload: workload, iterations: iterations, seconds: Date().timeIntervalSince(start),
                           peakMemoryBytes: peakResidentBytes(), profile: collected.ops, kernelProfile: collected.kernels)
    }

    /// FeatureNet features of `images` synthetic 1×32×32 images after a one-batch warm-up.
    static func features(images: Int) -> Measurement {
        var stream = RandomStream(seed: 0, name: "bench/featurenet")
        let network = FeatureNet(channels: 1, classes: 10, width: 64, featureDimension: 128, stream: &stream)
        let extractor = FeatureNetWeights(network: network, hash: "bench", datasetName: "synthetic", testAccuracy: 0, path: "")
        let pixels = Tensor.randomUniform([images, 1, 32, 32], low: -1, high: 1, stream: &stream).scalars
        _ = extractor.extract(Array(pixels.prefix(500 * 1024)), count: min(500, images), imageShape: [1, 32, 32])
        let start = Date()
        _ = extractor.extract(pixels, count: images, imageShape: [1, 32, 32])
        return Measurement(workload: .features, iterations: images, seconds: Date().timeIntervalSince(start),
                           peakMemoryBytes: peakResidentBytes())
    }

    /// Inception-v3 pool features of `images` synthetic 3×32×32 images (uniform in [−1, 1]) after a one-batch
    /// warm-up; the weights must be installed (`scripts/install-inception-weights`).
    public static func inception(images: Int, weightsPath: String = InceptionWeights.defaultPath) throws -> Measurement {
        let extractor = try InceptionWeights.read(from: weightsPath)
        var stream = RandomStream(seed: 0, name: "bench/inception")
        let size = 3 * 32 * 32, batch = extractor.batchSize
        let pixels = Tensor.randomUniform([images, 3, 32, 32], low: -1, high: 1, stream: &stream).scalars
        _ = extractor.extract(Array(pixels.prefix(batch * size)), count: min(batch, images), imageShape: [3, 32, 32])
        let start = Date()
        _ = extractor.extract(pixels, count: images, imageShape: [3, 32, 32])
        return Measurement(workload: .inception, iterations: images, seconds: Date().timeIntervalSince(start),
                           peakMemoryBytes: peakResidentBytes())
    }

    /// VmHWM of /proc/self/status (the peak resident set), in bytes; 0 where unavailable.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
}
