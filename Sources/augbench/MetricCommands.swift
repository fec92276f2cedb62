import ArgumentParser
import Foundation
import Metrics
import Storage

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

/// Rows `START:END` of a feature file (END excluded), as `--rows-a 0:5000`.
struct RowRange: ExpressibleByArgument {
    let range: Range<Int>

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0]), let end = Int(parts[1]), start >= 0, end > start else { return nil }
        range = start..<end
    }

    static var defaultValueDescription: String { "all rows" }
}

/// Reads a feature file, or rows of it.
private func readFeatures(_ path: String, rows: RowRange?, needsLogits: Bool = false) throws -> FeatureSet {
    let set = try FeatureSet.read(from: path, needsLogits: needsLogits)
    return try rows.map { try set.rows($0.range) } ?? set
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
    @Option(help: "Only rows START:END of A (END excluded), e.g. 0:5000.") var rowsA: RowRange?
    @Option(help: "Only rows START:END of B, e.g. 5000:10000 (with --rows-a, two halves of one file).") var rowsB: RowRange?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (x, y) = (try readFeatures(a, rows: rowsA), try readFeatures(b, rows: rowsB))
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
    @Option(help: "Only rows START:END of A (END excluded).") var rowsA: RowRange?
    @Option(help: "Only rows START:END of B.") var rowsB: RowRange?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard kidSubsets >= 1 else { throw ValidationError("--kid-subsets must be at least 1, got \(kidSubsets)") }
        guard kidSubsetSize >= 2 else { throw ValidationError("--kid-subset-size must be at least 2, got \(kidSubsetSize)") }
    }

    func run() throws {
        let (x, y) = (try readFeatures(a, rows: rowsA), try readFeatures(b, rows: rowsB))
        try checkSameDimension(x, y, a, b)
        let (mean, std) = try KernelInceptionDistance.distance(x, y, subsets: kidSubsets, subsetSize: kidSubsetSize, seed: seed)
        try report(["kid_mean": mean, "kid_std": std, "subsets": Double(kidSubsets), "subset_size": Double(min(kidSubsetSize, x.count, y.count))],
                   label: String(format: "KID %.8f ± %.8f (%d subsets of %d)", mean, std, kidSubsets, min(kidSubsetSize, x.count, y.count)),
                   json: json, inputs: [x, y])
    }
}

struct PRDCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prdc",
        abstract: "Precision and recall (k-NN manifolds, k = 3) and density and coverage (k = 5) of generated against real features.")
    @Argument(help: "Real (reference) feature file.") var real: String
    @Argument(help: "Generated feature file.") var fake: String
    @Option(help: "k of precision and recall.") var recallK = 3
    @Option(help: "k of density and coverage.") var densityK = 5
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard recallK >= 1, densityK >= 1 else { throw ValidationError("--recall-k and --density-k must be at least 1") }
    }

    func run() throws {
        let (x, y) = (try FeatureSet.read(from: real), try FeatureSet.read(from: fake))
        try checkSameDimension(x, y, real, fake)
        let start = Date()
        let s = try PrecisionRecall.scores(real: x, fake: y, recallK: recallK, densityK: densityK)
        try report(["precision": s.precision, "recall": s.recall, "density": s.density, "coverage": s.coverage,
                    "seconds": Date().timeIntervalSince(start)],
                   label: String(format: "precision %.4f recall %.4f (k = %d) density %.4f coverage %.4f (k = %d)",
                                 s.precision, s.recall, recallK, s.density, s.coverage, densityK), json: json, inputs: [x, y])
    }
}

struct MemorisationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "memorisation",
        abstract: "Share of generated samples nearer to a training image than any held-out real is, and the ratio of median nearest distances.")
    @Option(help: "Generated feature file (or image file with --pixels).") var generated: String
    @Option(help: "Training feature file (or image file).") var training: String
    @Option(help: "Held-out real feature file (or image file).") var heldOut: String
    @Flag(help: "Read /images [N, C, H, W] and compare pixels instead of /features.") var pixels = false
    @Flag(help: "Print JSON.") var json = false

    func rows(_ path: String) throws -> (values: [Float], count: Int, dimension: Int) {
        if pixels {
            let read = try HDF5File.readImages(from: path)
            return (read.values, read.shape[0], read.shape.dropFirst().reduce(1, *))
        }
        let set = try FeatureSet.read(from: path)
        return (set.features, set.count, set.dimension)
    }

    func run() throws {
        let (g, t, h) = (try rows(generated), try rows(training), try rows(heldOut))
        guard g.dimension == t.dimension, t.dimension == h.dimension else {
            throw InputError("\(generated), \(training) and \(heldOut) have rows of \(g.dimension), \(t.dimension) and \(h.dimension) values: use one extractor (or one image size)")
        }
        let s = try Memorisation.scores(generated: g.values, generatedCount: g.count, training: t.values, trainingCount: t.count,
                                        heldOut: h.values, heldOutCount: h.count, dimension: g.dimension)
        let label = String(format: "memorised %.4f (samples nearer to a training image than any held-out real, %.4g); median distance ratio %.4f",
                           s.share, s.heldOutMinimum, s.ratio)
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["share": s.share, "ratio": s.ratio, "held_out_minimum": s.heldOutMinimum,
                                                                   "space": pixels ? "pixels" : "features"], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(label)
        }
    }
}

struct LeakageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leakage",
        abstract: "Shares of images showing DiffAugment's artefacts: cutout's grey square and translation's grey edge band; with --reference, also the shares that fit the reference better turned or mirrored.")
    @Argument(help: "Image file with /images [N, C, H, W] in [-1, 1] (e.g. from `augbench augment --output`).") var images: String
    @Option(help: "Images to compare with (the training data), same layout.") var reference: String?
    @Flag(help: "Print JSON.") var json = false

    func shares(_ x: (shape: [Int], values: [Float])) -> AugmentationLeakage.Shares {
        AugmentationLeakage.shares(x.values, count: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3])
    }

    func run() throws {
        let own = try HDF5File.readImages(from: images)
        let other = try reference.map(HDF5File.readImages)
        if let other, other.shape.dropFirst() != own.shape.dropFirst() {
            throw InputError("\(images) holds images of shape \(Array(own.shape.dropFirst())) but \(reference!) holds \(Array(other.shape.dropFirst()))")
        }
        let artefacts = shares(own), referenceArtefacts = other.map(shares)
        let orientation = other.map { OrientationLeakage.shares(own.values, count: own.shape[0], channels: own.shape[1], height: own.shape[2],
                                                                width: own.shape[3], reference: $0.values, referenceCount: $0.shape[0]) }
        if json {
            var object: [String: Any] = ["cutout": artefacts.cutout, "translation": artefacts.translation]
            if let referenceArtefacts { object["reference"] = ["cutout": referenceArtefacts.cutout, "translation": referenceArtefacts.translation] }
            if let orientation {
                object["mirrored"] = orientation.mirrored
                if let turned = orientation.turned { object["turned"] = turned }
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        print(String(format: "cutout %.4f translation %.4f", artefacts.cutout, artefacts.translation)
              + (referenceArtefacts.map { String(format: " (reference: cutout %.4f translation %.4f)", $0.cutout, $0.translation) } ?? ""))
        if let orientation {
            print((orientation.turned.map { String(format: "fit the reference better turned %.4f, ", $0) } ?? "")
                  + String(format: "mirrored %.4f", orientation.mirrored))
        }
    }
}
