import ArgumentParser
import Data
import Foundation
import Metrics

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
        static let configuration = CommandConfiguration(abstract: "Write features and logits of a dataset split to HDF5.")

        @Option(help: "Dataset of the images.") var dataset = "fashion-mnist"
        @Option(help: "Dataset folder (default: its standard location).") var path: String?
        @Option(help: "train or test.") var split = "test"
        @Option(help: "FeatureNet weights (default weights/featurenet-<dataset>.h5).") var weights: String?
        @Option(help: "Use only the first N images.") var count: Int?
        @Option(help: "Output feature file.") var output: String

        func run() throws {
            let extractor = try FeatureNetWeights.read(from: weights ?? "weights/featurenet-\(dataset).h5")
            let data = try DatasetCatalog.load(DatasetSpec(name: dataset, path: path), split: split)
            let n = min(count ?? data.count, data.count)
            let (features, logits) = extractor.extract(data.images(0..<n), count: n, imageShape: data.imageShape)
            let set = FeatureSet(features: features, logits: logits, count: n, dimension: extractor.network.featureDimension,
                                 classes: extractor.network.classCount, extractor: extractor.extractorName, extractorHash: extractor.hash,
                                 source: "\(dataset):\(split)[0..<\(n)] fingerprint \(data.fingerprint)")
            try set.write(to: output)
            print("wrote \(output): \(n) × \(set.dimension) features and \(set.classes) logits from \(extractor.extractorName) (\(extractor.hash))")
        }
    }
}
