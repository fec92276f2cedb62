import Foundation
import Metrics

/// The results of one grid folder (results/<grid>/), grouped for tables and baselines.
public struct ResultSet {
    public let folder: String
    public let runs: [RunResult]
    /// The grid's config as the runner saved it (paper metadata, axis order), when present.
    public let grid: GridRecord?

    public static func load(_ folder: String) throws -> ResultSet {
        let url = URL(fileURLWithPath: folder)
        guard let entries = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil) else {
            throw ConfigError(file: folder, path: "", "no results folder here (run the grid first: augbench run CONFIG)")
        }
        let runs = entries.filter(\.hasDirectoryPath).compactMap { RunDirectory($0).result }.sorted { $0.id < $1.id }
        guard !runs.isEmpty else { throw ConfigError(file: folder, path: "", "no finished or failed runs (result.json) in this folder") }
        return ResultSet(folder: folder, runs: runs, grid: RunDirectory(url).read(GridRecord.self, from: "grid.json"))
    }

    /// A run's axes other than the seed: runs sharing them are seeds of one experiment.
    public static func experimentKey(_ run: RunResult) -> String {
        run.axes.filter { $0.key != "seed" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// Runs grouped by experiment key, in key order.
    public var experiments: [(key: String, runs: [RunResult])] {
        Dictionary(grouping: runs, by: ResultSet.experimentKey).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// grid.json, written by `augbench run` beside the run folders.
public struct GridRecord: Codable, Sendable {
    public var name: String
    public var configPath: String
    public var axes: [String]
    public var paper: JSONValue?

    public init(name: String, configPath: String, axes: [String], paper: JSONValue?) {
        self.name = name
        self.configPath = configPath
        self.axes = axes
        self.paper = paper
    }
}

/// Mean, population standard deviation and count of a metric over seeds.
public struct Summary: Codable, Equatable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int
    public var values: [Double]

    public init(_ values: [Double]) {
        self.values = values
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        let m = mean
        std = values.count < 2 ? 0 : (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)).squareRoot()
    }
}

/// The metrics a table or baseline can name, read from a run's final or best-FID evaluation.
public enum MetricName: String, CaseIterable, Codable, Sendable {
    case fidBest = "fid_best", fidFinal = "fid_final", isFinal = "is_final", kidFinal = "kid_final"
    case dAccuracyTrain = "d_acc_train", dAccuracyHeldOut = "d_acc_held_out"

    public func value(_ run: RunResult) -> Double? {
        guard run.status == "finished", let final = run.final else { return nil }
        switch self {
        case .fidBest: return run.best?.fid
        case .fidFinal: return final.fid
        case .isFinal: return final.isMean
        case .kidFinal: return final.kidMean
        case .dAccuracyTrain: return final.dAccuracyTrain
        case .dAccuracyHeldOut: return final.dAccuracyHeldOut
        }
    }

    /// Whether a larger value is worse (FID, KID) or better (IS); D accuracy has no direction.
    public var higherIsWorse: Bool? {
        switch self {
        case .fidBest, .fidFinal, .kidFinal: return true
        case .isFinal: return false
        case .dAccuracyTrain, .dAccuracyHeldOut: return nil
        }
    }
}
