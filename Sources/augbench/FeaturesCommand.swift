import ArgumentParser
import Data
import Experiments
import Results
import Foundation
import Metrics
import Storage
import TensorCore

/// `augbench features`: train the FeatureNet extractor, and extract feature files.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Feature extractors and feature files.",
                                                    subcommands: [Train.self, Extract.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the FeatureNet classifier deterministically and write its weights (with a content hash) to HDF5.")

        @Option(help: "fashion-mnist, mnist, cifar10 or cifar100.") var dataset = "fashion-mnist"
        @Option(help: "Dataset folder (default: its standard location).") var path: String?
        @Option(help: "Epochs over the training split.") var epochs = 4
        @Option(help: "Base width of the network.") var width = 32
        @Option(help: "Seed of initialisation and data order.") var seed: UInt64 = 0
        @Option(help: "Output weights (default weights/featurenet-<dataset>.h5).") var output: String?

        func run() throws {
            var training = FeatureNetTraining(dataset: DatasetSpec(name: dataset, path: path))
            training.epochs = epochs
            training.width = width
            training.seed = seed
            let outcome = try training.run { epoch, step, steps, loss in
                print("epoch \(epoch + 1)/\(epochs) step \(step)/\(steps) loss \(String(format: "%.4f", loss))")
            }
            let target = output ?? "weights/featurenet-\(dataset).h5"
            let command = "augbench features train --dataset \(dataset) --epochs \(epochs) --width \(width) --seed \(seed)"
            try FeatureNetWeights.write(outcome.network, channels: outcome.network.convsInputChannels, width: width,
                                        datasetName: dataset, datasetFingerprint: outcome.trainFingerprint,
                                        testAccuracy: outcome.testAccuracy, command: command, to: target)
            let hash = FeatureNetWeights.hash(of: outcome.network)
            print(String(format: "test accuracy %.4f after %d epochs in %.0f s; wrote %@ (hash %@)",
                         outcome.testAccuracy, epochs, outcome.seconds, target, hash))
        }
    }

    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write features and logits to HDF5 for a dataset split, an image file (HDF5 `images`) or a run's generator.")

        @Option(help: "Dataset of the images (for a split; also names the default weights).") var dataset = "fashion-mnist"
        @Option(help: "Dataset folder (default: its standard location).") var path: String?
        @Option(help: "train or test.") var split = "test"
        @Option(help: "HDF5 file with `images` [N, C, H, W] in [-1, 1] instead of a dataset split.") var images: String?
        @Option(name: .customLong("run"), help: "A run folder (results/<grid>/<id>): features of its generator's samples.") var runFolder: String?
        @Option(help: "Checkpoint of --run: best or latest.") var checkpoint = "best"
        @Option(help: "featurenet (ours, per dataset) or inception (the FID Inception-v3, 2048-d pool features and 1008 logits).")
        var extractor = "featurenet"
        @Option(help: "Extractor weights (default weights/featurenet-<dataset>.h5 or weights/inception-v3-fid.h5).") var weights: String?
        @Option(help: "Use only the first N images (samples for --run; default 5000 there).") var count: Int?
        @Option(help: "With a dataset split: skip the first N images (with --count, e.g. the two halves of a test set).") var offset = 0
        @Option(help: "With a dataset split: a class-stratified subset of N images (subset.mode stratified, seed --subset-seed) instead of the first ones.")
        var stratified: Int?
        @Option(help: "Seed of --stratified.") var subsetSeed: UInt64 = 0
        @Option(help: "Output feature file.") var output: String
        @Flag(help: "Also print the wall time by op and the convolution kernels' by direction, shape and algorithm.") var profile = false

        func run() throws {
            let extractor = try loadExtractor()
            let (values, shape, source) = try inputs()
            let n = values.count / shape.reduce(1, *)
            let start = Date()
            var extracted: (features: [Float], logits: [Float]?) = ([], nil)
            let extract = { extracted = extractor.extract(values, count: n, imageShape: shape) }
            let measured = profile ? OpProfile.measureWithKernels(extract) : { extract(); return ([], []) }()
            let (features, logits) = extracted
            let set = FeatureSet(features: features, logits: logits, count: n, dimension: extractor.featureDimension,
                                 classes: extractor.classCount, extractor: extractor.extractorName, extractorHash: extractor.hash,
                                 source: source)
            try set.write(to: output)
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "features of %d images in %.1f s (%.1f images/s)", n, seconds, Double(n) / seconds))
            if profile {
                OpProfileTable.show(measured.ops, repetitions: 1, unit: "all \(n) images", wallSeconds: seconds)
                KernelProfileTable.show(measured.kernels, repetitions: 1, unit: "all \(n) images")
            }
            print("wrote \(output): \(n) × \(set.dimension) features and \(set.classes) logits of \(source) from \(extractor.extractorName) (\(extractor.hash))")
        }

        private func loadExtractor() throws -> any FeatureExtractor {
            switch extractor {
            case "featurenet": return try FeatureNetWeights.read(from: weights ?? "weights/featurenet-\(dataset).h5")
            case "inception": return try InceptionWeights.read(from: weights ?? InceptionWeights.defaultPath)
            default: throw ValidationError("--extractor: found \"\(extractor)\", expected featurenet or inception")
            }
        }

        private func inputs() throws -> (values: [Float], shape: [Int], source: String) {
            if let run = runFolder {
                let name = checkpoint == "latest" ? "checkpoint.h5" : "checkpoint-best.h5"
                let (generator, config) = try RunGenerator.load(runFolder: run, checkpoint: name)
                let evaluationSeed = UInt64(config.training.seed)
                let samples = count ?? config.evaluation.samples
                var latents = RandomStream(seed: evaluationSeed, name: "eval/latents")
                var values: [Float] = []
                while values.count < samples * generator.imageShape.reduce(1, *) {
                    let size = min(250, samples - values.count / generator.imageShape.reduce(1, *))
                    let z = Tensor.randomNormal([size, generator.latentDimension], stream: &latents)
                    let classes = generator.classCount > 0 ? (0..<size).map { $0 % generator.classCount } : nil
                    values += withoutGradients { generator(z, classes: classes, .evaluation) }.scalars
                }
                return (values, generator.imageShape, "run \(run) \(name), \(samples) samples")
            }
            if let images {
                let read = try HDF5File.readImages(from: images)
                let n = min(count ?? read.shape[0], read.shape[0])
                let shape = Array(read.shape.dropFirst())
                return (Array(read.values.prefix(n * shape.reduce(1, *))), shape, "\(images)[0..<\(n)]")
            }
            let data = try DatasetCatalog.load(DatasetSpec(name: dataset, path: path), split: split)
            if let stratified {
                let subset = try Subset.choose(from: data, count: stratified, seed: subsetSeed, mode: .stratified)
                return (data.selecting(subset.indices).images, data.imageShape,
                        "\(dataset):\(split) stratified \(stratified) (seed \(subsetSeed)) fingerprint \(data.fingerprint)")
            }
            guard offset >= 0, offset < data.count else { throw ValidationError("--offset \(offset) is outside the \(data.count) images of \(dataset):\(split)") }
            let end = min(offset + (count ?? data.count), data.count)
            return (data.images(offset..<end), data.imageShape, "\(dataset):\(split)[\(offset)..<\(end)] fingerprint \(data.fingerprint)")
        }
    }
}
