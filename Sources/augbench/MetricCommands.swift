import ArgumentParser
import Foundation
import Metrics

/// A problem with a command's input files (not its usage): printed as "Error: …", exit status 1.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Both feature files must have features of the same dimension.
private func checkSameDimension(_ x: FeatureSet, _ y: FeatureSet, _ a: String, _ b: String) throws {
    guard x.dimension == y.dimension else {
        throw InputError("\(a) has \(x.dimension)-dimensional features (extractor \(x.extractor)) but \(b) has \(y.dimension) (extractor \(y.extractor)): compare features of one extractor")
    }
}

/// Prints a metric as text or JSON.
private func report(_ values: [String: Double], label: String, json: Bool, inputs: [FeatureSet]) throws {
    if json {
        var object: [String: Any] = values
        object["inputs"] = inputs.map { ["path": $0.path, "count": $0.count, "dimension": $0.dimension, "extractor": $0.extractor] }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    } else {
        print(label)
    }
}

struct FIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fid", abstract: "Fréchet distance between two feature files.")
    @Argument(help: "Feature file A (HDF5 `features` [N, D]).") var a: String
    @Argument(help: "Feature file B.") var b: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (x, y) = (try FeatureSet.read(from: a), try FeatureSet.read(from: b))
        try checkSameDimension(x, y, a, b)
        let start = Date()
        let fid = try FrechetDistance.distance(GaussianStatistics(features: x.features, count: x.count, dimension: x.dimension),
                                               GaussianStatistics(features: y.features, count: y.count, dimension: y.dimension))
        try report(["fid": fid, "seconds": Date().timeIntervalSince(start)], label: String(format: "FID %.6f", fid), json: json, inputs: [x, y])
    }
}

struct ISCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "is", abstract: "Inception Score of a feature file's logits.")
    @Argument(help: "Feature file with `logits` [N, K].") var a: String
    @Option(help: "Contiguous splits.") var splits = 10
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard splits >= 1 else { throw ValidationError("--splits must be at least 1, got \(splits)") }
    }

    func run() throws {
        let x = try FeatureSet.read(from: a, needsLogits: true)
        guard x.count >= splits else { throw InputError("\(a) has \(x.count) rows, fewer than --splits \(splits)") }
        let (mean, std) = try InceptionScore.score(logits: x.logits!, count: x.count, classes: x.classes, splits: splits)
        try report(["is_mean": mean, "is_std": std, "splits": Double(splits)],
                   label: String(format: "IS %.6f ± %.6f (%d splits)", mean, std, splits), json: json, inputs: [x])
    }
}

struct KIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kid", abstract: "Kernel Inception Distance between two feature files.")
    @Argument(help: "Feature file A.") var a: String
    @Argument(help: "Feature file B.") var b: String
    @Option(help: "Random subsets.") var kidSubsets = 100
    @Option(help: "Rows per subset (capped at the smaller set).") var kidSubsetSize = 1000
    @Option(help: "Seed of the subset draws.") var seed: UInt64 = 0
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard kidSubsets >= 1 else { throw ValidationError("--kid-subsets must be at least 1, got \(kidSubsets)") }
        guard kidSubsetSize >= 2 else { throw ValidationError("--kid-subset-size must be at least 2, got \(kidSubsetSize)") }
    }

    func run() throws {
        let (x, y) = (try FeatureSet.read(from: a), try FeatureSet.read(from: b))
        try checkSameDimension(x, y, a, b)
        let (mean, std) = try KernelInceptionDistance.distance(x, y, subsets: kidSubsets, subsetSize: kidSubsetSize, seed: seed)
        try report(["kid_mean": mean, "kid_std": std, "subsets": Double(kidSubsets), "subset_size": Double(min(kidSubsetSize, x.count, y.count))],
                   label: String(format: "KID %.8f ± %.8f (%d subsets of %d)", mean, std, kidSubsets, min(kidSubsetSize, x.count, y.count)),
                   json: json, inputs: [x, y])
    }
}
