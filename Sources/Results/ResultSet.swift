import Foundation
import Metrics

/// The results of one grid: its record (results/<grid>/grid.json) and the runs it names, read from the
/// shared store results/runs/<id>/ (a run trained for one grid serves every grid that contains it).
public struct ResultSet {
    /// results/<grid>.
    public let folder: String
    /// Runs with a result.json, labelled with this grid's axes (a shared run may have been trained for another grid).
    public let runs: [RunResult]
    /// The grid's record (paper metadata, axis order, its experiments).
    public let grid: GridRecord?
    /// Experiments of the grid with no result yet.
    public let missing: [GridRecord.Run]
    /// result.json files that exist but cannot be read, with the reason.
    public let unreadable: [(path: String, reason: String)]

    /// The commit the runs were trained at (the first run's provenance), or "unknown".
    public var gitCommit: String {
        runs.lazy.compactMap { directory(for: $0.id).read(Provenance.self, from: "provenance.json")?.gitCommit }.first ?? "unknown"
    }

    /// The folder of run `id`.
    public func directory(for id: String) -> RunDirectory {
        RunDirectory(RunStore.folder(resultsRoot: URL(fileURLWithPath: folder).deletingLastPathComponent().path, id: id))
    }

    public static func load(_ folder: String) throws -> ResultSet {
        let url = URL(fileURLWithPath: folder)
        let recordPath = url.appendingPathComponent("grid.json").path
        guard FileManager.default.fileExists(atPath: recordPath) else {
            throw ConfigError(file: recordPath, path: "", "no grid record here (run the grid first: augbench run CONFIG)")
        }
        guard let grid = RunDirectory(url).read(GridRecord.self, from: "grid.json"), let planned = grid.runs else {
            throw ConfigError(file: recordPath, path: "runs", "not a grid record of this version of augbench (rerun `augbench run CONFIG`, which rewrites it and trains nothing that is finished)")
        }
        let root = url.deletingLastPathComponent().path
        var runs: [RunResult] = [], missing: [GridRecord.Run] = [], unreadable: [(String, String)] = []
        for entry in planned {
            let directory = RunDirectory(RunStore.folder(resultsRoot: root, id: entry.id))
            switch directory.readResult() {
            case .absent: missing.append(entry)
            case .unreadable(let reason): unreadable.append((directory.path("result.json"), reason))
            case .read(var result):
                result.axes = entry.axes
                result.label = entry.label
                runs.append(result)
            }
        }
        return ResultSet(folder: folder, runs: runs.sorted { $0.id < $1.id }, grid: grid, missing: missing, unreadable: unreadable)
    }

    /// A run's axes other than the seed: runs sharing them are seeds of one experiment.
    public static func experimentKey(_ run: RunResult) -> String {
        key(run.axes)
    }

    static func key(_ axes: [String: String]) -> String {
        axes.filter { $0.key != "seed" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// Runs grouped by experiment key, in key order.
    public var experiments: [(key: String, runs: [RunResult])] {
        Dictionary(grouping: runs, by: ResultSet.experimentKey).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// Where runs live: results/runs/<id>, one folder per experiment whatever grid asked for it.
public enum RunStore {
    public static let folderName = "runs"

    public static func folder(resultsRoot: String, id: String) -> URL {
        URL(fileURLWithPath: resultsRoot).appendingPathComponent(folderName).appendingPathComponent(id)
    }
}

/// grid.json, written by `augbench run` in results/<grid>/: the grid's layout and every experiment it holds.
public struct GridRecord: Codable, Sendable {
    public var name: String
    public var configPath: String
    public var axes: [String]
    public var paper: JSONValue?
    /// Every experiment of the grid (whatever `--only` or `--shard` a worker ran), in the config's order.
    public var runs: [Run]?

    /// One experiment: its content id and its values on this grid's axes.
    public struct Run: Codable, Sendable, Equatable {
        public var id: String
        public var label: String
        public var axes: [String: String]

        public init(id: String, label: String, axes: [String: String]) {
            self.id = id
            self.label = label
            self.axes = axes
        }
    }

    public init(name: String, configPath: String, axes: [String], paper: JSONValue?, runs: [Run]) {
        self.name = name
        self.configPath = configPath
        self.axes = axes
        self.paper = paper
        self.runs = runs
    }
}

/// Mean, sample standard deviation (divisor n − 1; 0 for one value) and count of a metric over seeds.
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
        std = values.count < 2 ? 0 : (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}

/// The metrics a table or baseline can name, read from a run's final or best-FID evaluation.
public enum MetricName: String, CaseIterable, Codable, Sendable {
    case fidBest = "fid_best", fidFinal = "fid_final", isFinal = "is_final", kidFinal = "kid_final"
    case dAccuracyTrain = "d_acc_train", dAccuracyHeldOut = "d_acc_held_out"
    /// From `evaluation.explain`: precision/recall/density/coverage, the share of memorised samples (features),
    /// the shares of samples with cutout's and translation's artefacts, and of samples that fit the training
    /// set better turned or mirrored.
    case precision, recall, density, coverage, memorised
    case leakCutout = "leak_cutout", leakTranslation = "leak_translation"
    case leakTurned = "leak_turned", leakMirrored = "leak_mirrored"

    public func value(_ run: RunResult) -> Double? {
        guard run.status == "finished", let final = run.final else { return nil }
        switch self {
        case .fidBest: return run.best?.fid
        case .fidFinal: return final.fid
        case .isFinal: return final.isMean.isFinite ? final.isMean : nil
        case .kidFinal: return final.kidMean
        case .dAccuracyTrain: return final.dAccuracyTrain
        case .dAccuracyHeldOut: return final.dAccuracyHeldOut
        case .precision: return run.explanations?.precisionRecall.precision
        case .recall: return run.explanations?.precisionRecall.recall
        case .density: return run.explanations?.precisionRecall.density
        case .coverage: return run.explanations?.precisionRecall.coverage
        case .memorised: return run.explanations?.memorisationFeatures.share
        case .leakCutout: return run.explanations?.leakageGenerated.cutout
        case .leakTranslation: return run.explanations?.leakageGenerated.translation
        case .leakTurned: return run.explanations?.orientationGenerated?.turned
        case .leakMirrored: return run.explanations?.orientationGenerated?.mirrored
        }
    }

    /// Whether a larger value is worse (FID, KID) or better (IS); D accuracy has no direction.
    public var higherIsWorse: Bool? {
        switch self {
        case .fidBest, .fidFinal, .kidFinal, .memorised, .leakCutout, .leakTranslation, .leakTurned, .leakMirrored: return true
        case .isFinal, .precision, .recall, .density, .coverage: return false
        case .dAccuracyTrain, .dAccuracyHeldOut: return nil
        }
    }
}
