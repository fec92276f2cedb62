import ArgumentParser
import Data
import Foundation

/// `augbench data info`: what a dataset holds, how long it takes to load, and what a subset of it is.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Inspect datasets.",
                                                    subcommands: [Info.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per split: image count, shape, classes with counts, fingerprint and load time.")

        @Option(help: "Dataset: \(DatasetCatalog.names.joined(separator: ", ")).")
        var dataset: String
        @Option(help: "Folder of the files (default: the dataset's standard location).")
        var path: String?
        @Option(help: "Image side after padding/resizing.")
        var resolution = 32
        @Option(help: "Also describe a subset of the training split: a fraction in (0, 1].")
        var fraction: Double?
        @Option(help: "Seed of the subset choice (separate from training seeds).")
        var subsetSeed: UInt64 = 0
        @Option(help: "Subset mode: stratified (nested, class-balanced) or uniform.")
        var subsetMode = "stratified"
        @Flag(help: "Print JSON.")
        var json = false

        struct SplitReport: Codable {
            let split: String, count: Int, shape: [Int], classes: [String: Int]?, fingerprint: String, loadSeconds: Double, source: String
        }
        struct SubsetReport: Codable { let fraction: Double, seed: UInt64, mode: String, count: Int, classes: [String: Int]?, identity: String }
        struct Report: Codable { let dataset: String, splits: [SplitReport], subset: SubsetReport? }

        func run() throws {
            let spec = DatasetSpec(name: dataset, path: path, resolution: resolution)
            guard let mode = SubsetMode(rawValue: subsetMode) else {
                throw ValidationError("--subset-mode must be stratified or uniform, not '\(subsetMode)'")
            }
            var splits: [SplitReport] = [], subset: SubsetReport?
            for split in DatasetCatalog.hasTestSplit(spec) ? ["train", "test"] : ["train"] {
                let start = Date()
                let data = try DatasetCatalog.load(spec, split: split)
                let seconds = Date().timeIntervalSince(start)
                splits.append(SplitReport(split: split, count: data.count, shape: data.imageShape,
                                          classes: named(data.classCounts, data.classNames), fingerprint: data.fingerprint,
                                          loadSeconds: seconds, source: data.source))
                if split == "train", let fraction {
                    let manifest = try Subset.choose(from: data, fraction: fraction, seed: subsetSeed, mode: mode)
                    subset = SubsetReport(fraction: fraction, seed: subsetSeed, mode: mode.rawValue, count: manifest.indices.count,
                                          classes: named(manifest.classCounts, data.classNames), identity: manifest.identity)
                }
            }
            let report = Report(dataset: dataset, splits: splits, subset: subset)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                printText(report)
            }
        }

        private func named(_ counts: [Int], _ names: [String]?) -> [String: Int]? {
            guard !counts.isEmpty else { return nil }
            return Dictionary(uniqueKeysWithValues: counts.enumerated().map { ((names?[$0.offset] ?? "\($0.offset)"), $0.element) })
        }

        private func printText(_ report: Report) {
            print("dataset \(report.dataset)")
            for split in report.splits {
                print("  \(split.split): \(split.count) images, shape \(split.shape), fingerprint \(split.fingerprint), loaded in \(String(format: "%.2f", split.loadSeconds)) s")
                print("    from \(split.source)")
                if let classes = split.classes { print("    classes: " + classes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
            }
            if let subset = report.subset {
                print("  subset \(subset.mode) fraction \(subset.fraction) seed \(subset.seed): \(subset.count) images (id \(subset.identity))")
                if let classes = subset.classes { print("    classes: " + classes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
            }
        }
    }
}
