import Data
import Foundation
import Results
import Metrics
import Models
import Storage
import TensorCore

/// Options of `augbench run`.
public struct RunOptions {
    public var resultsFolder = "results"
    public var weightsFolder = "weights"
    /// Axis filters ("strategy=diffaugment"): only experiments matching all of them run.
    public var only: [(axis: String, value: String)] = []
    /// Worker i of n: runs the experiments whose position (in id order) is i modulo n.
    public var shard: (index: Int, count: Int)? = nil
    public var progress: ProgressStyle? = nil
    public var kernel: KernelChoice? = nil
    /// Set aside an unreadable checkpoint and train that run from the start (otherwise the run is reported failed).
    public var restartCorrupt = false
    public init() {}

    /// `--only` text as (axis, value) pairs: "strategy=diffaugment,fraction=0.1" is two pairs; a comma-separated
    /// piece without "=" continues the value before it, so a policy stays whole: "policy=translation,cutout".
    /// nil when the text does not start with axis=value or has an empty axis.
    public static func parseOnly(_ text: String) -> [(axis: String, value: String)]? {
        var pairs: [(axis: String, value: String)] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, !parts[0].isEmpty {
                pairs.append((parts[0], parts[1]))
            } else if parts.count == 1, !pairs.isEmpty, !parts[0].isEmpty {
                pairs[pairs.count - 1].value += "," + parts[0]
            } else {
                return nil
            }
        }
        return pairs.isEmpty ? nil : pairs
    }
}

/// What a grid run did.
public struct GridSummary {
    public var finished: [String] = []
    public var skipped: [String] = []
    public var busy: [String] = []
    public var failed: [(id: String, label: String, reason: String)] = []
}

/// Runs the experiments of a config file: skips finished ones, resumes interrupted ones from their last
/// checkpoint, marks diverged ones failed and goes on.
public final class GridRunner {
    public let file: ConfigFile
    public let experiments: [Experiment]
    let options: RunOptions
    let data: DataCache
    let reporter: ProgressReporter

    public init(file: ConfigFile, options: RunOptions) throws {
        self.file = file
        self.options = options
        let all = try Grid.expand(file)
        try GridRunner.checkFilters(options.only, against: all, file: file)
        experiments = all.filter { GridRunner.matches($0, options.only) }
        data = DataCache(weightsFolder: options.weightsFolder, cacheFolder: options.resultsFolder + "/cache")
        reporter = ProgressReporter(style: options.progress)
    }

    /// Every `--only` filter must name an axis or setting of the grid and one of its values there.
    static func checkFilters(_ filters: [(axis: String, value: String)], against experiments: [Experiment], file: ConfigFile) throws {
        for filter in filters {
            let path = ConfigLoader.resolve(alias: filter.axis)
            let values = Set(experiments.compactMap { experiment in
                experiment.axisValues.first { $0.path == path }.map { Grid.plain($0.value) }
                    ?? experiment.config.json.value(at: path).map(Grid.plain)
            })
            guard !values.isEmpty else {
                let axes = file.axes.map { Grid.shortName($0.path) }.joined(separator: ", ")
                throw ConfigError(file: file.path, path: path, "--only \(filter.axis)=\(filter.value): no such axis or setting (the grid's axes: \(axes.isEmpty ? "none" : axes))")
            }
            guard experiments.contains(where: { matches($0, [filter]) }) else {
                throw ConfigError(file: file.path, path: path, "--only \(filter.axis)=\(filter.value): no experiment has that value (values in this grid: \(values.sorted().joined(separator: ", ")))")
            }
        }
    }

    static func matches(_ experiment: Experiment, _ filters: [(axis: String, value: String)]) -> Bool {
        filters.allSatisfy { filter in
            let path = ConfigLoader.resolve(alias: filter.axis)
            if let value = experiment.axisValues.first(where: { $0.path == path })?.value { return Grid.plain(value) == filter.value }
            guard let value = experiment.config.json.value(at: path) else { return false }
            return Grid.plain(value) == filter.value || value.canonical == filter.value
        }
    }

    /// The experiments this worker runs, with their ids, in id order.
    public func plannedRuns() throws -> [(id: String, experiment: Experiment)] {
        let all = try experiments.map { (try id(of: $0), $0) }.sorted { $0.0 < $1.0 }
        guard let shard = options.shard else { return all }
        return all.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }

    func id(of experiment: Experiment) throws -> String {
        experiment.id(datasetFingerprint: try data.dataset(experiment.config, split: "train").fingerprint)
    }

    /// results/runs/<id>: shared by every grid that holds the experiment.
    public func folder(for id: String) -> URL {
        RunStore.folder(resultsRoot: options.resultsFolder, id: id)
    }

    /// Writes results/<grid>/grid.json: the layout and every experiment of the grid (not only this worker's).
    public func writeGridRecord() throws {
        let entries = try Grid.expand(file).map { experiment in
            GridRecord.Run(id: try id(of: experiment), label: experiment.label,
                           axes: Dictionary(uniqueKeysWithValues: experiment.axisValues.map { (Grid.shortName($0.path), Grid.plain($0.value)) }))
        }
        let gridFolder = RunDirectory(URL(fileURLWithPath: options.resultsFolder).appendingPathComponent(file.name))
        try gridFolder.write(GridRecord(name: file.name, configPath: file.path, axes: file.axes.map { Grid.shortName($0.path) },
                                        paper: file.paper, runs: entries), to: "grid.json")
    }

    public func run() throws -> GridSummary {
        var summary = GridSummary()
        let runs = try plannedRuns()
        try writeGridRecord()
        for (position, (id, experiment)) in runs.enumerated() {
            let directory = RunDirectory(folder(for: id))
            if directory.result?.status == "finished" {
                summary.skipped.append(id)
                reporter.event("[\(position + 1)/\(runs.count)] \(experiment.label) (\(id)): already finished, skipped",
                               fields: ["id": id, "status": "skipped"])
                continue
            }
            try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
            let lockPath = directory.path("lock")
            guard let lock = RunLock.acquire(lockPath) else {
                summary.busy.append(id)
                let why = RunLock.heldBySiblingJob(lockPath) ? "another job of this run is training it"
                    : "\(RunLock.holder(of: lockPath)) is training it (lock \(lockPath), released when that process ends)"
                reporter.event("[\(position + 1)/\(runs.count)] \(experiment.label) (\(id)): skipped, \(why)",
                               fields: ["id": id, "status": "busy"])
                continue
            }
            defer { lock.release() }
            directory.removeTemporaryFiles()  // left by a writer killed mid-write; nobody else writes here while we hold the lock
            do {
                let result = try runOne(experiment, id: id, directory: directory, position: position + 1, of: runs.count)
                if result.status == "finished" { summary.finished.append(id) } else {
                    summary.failed.append((id, experiment.label, result.reason ?? "unknown"))
                }
            } catch {
                // One experiment's broken input (a corrupt checkpoint, an unwritable file) must not stop the grid.
                summary.failed.append((id, experiment.label, "\(error)"))
                reporter.event("[\(position + 1)/\(runs.count)] \(experiment.label) (\(id)): FAILED: \(error)",
                               fields: ["id": id, "status": "failed", "reason": "\(error)"])
            }
        }
        return summary
    }

    /// What became of the planned runs, read from their folders (after workers in other processes ran them):
    /// finished before (`pendingAtStart` lacks them), finished, failed, or never finished (`unfinishedReason`).
    public func summary(pendingAtStart pending: Set<String>, unfinishedReason: String) throws -> GridSummary {
        var summary = GridSummary()
        for (id, experiment) in try plannedRuns() {
            let result = RunDirectory(folder(for: id)).result
            switch (pending.contains(id), result?.status) {
            case (false, _): summary.skipped.append(id)
            case (true, "finished"): summary.finished.append(id)
            case (true, "failed"): summary.failed.append((id, experiment.label, result?.reason ?? "unknown"))
            default: summary.failed.append((id, experiment.label, "not run: \(unfinishedReason)"))
            }
        }
        return summary
    }

    /// Trains one experiment to the end (or to a failure) with its `TrainingLoop` and writes its result.json.
    func runOne(_ experiment: Experiment, id: String, directory: RunDirectory, position: Int, of total: Int) throws -> RunResult {
        let c = experiment.config
        let inputs = try data.inputs(c)
        let evaluator = try data.evaluator(c, inputs)
        try directory.write(c.json, to: "config.json")
        try directory.write(inputs.manifest, to: "manifest.json")
        let session = ProvenanceProbe.current(kernel: options.kernel ?? BLASKernel.describeRunning())
        let earlier = directory.read(Provenance.self, from: "provenance.json")  // read before this session's replaces it
        try directory.write(session, to: "provenance.json")
        if c.model.conditional && inputs.train.labels == nil {
            throw ConfigError(file: file.path, path: "model.conditional", "dataset \(c.dataset.name.rawValue) has no class labels")
        }
        let run = try TrainingRun(config: c, trainIndices: inputs.manifest.indices, imageChannels: inputs.train.channels,
                                  classes: inputs.train.classCount)
        let status = ProgressReporter.Status(run: position, runs: total, label: experiment.label, iteration: 0,
                                             iterations: c.training.iterations, iterationsPerSecond: 0, lossD: 0, lossG: 0, lastFID: nil)
        let loop = TrainingLoop(run: run, evaluator: evaluator, inputs: inputs, directory: directory, reporter: reporter, status: status)
        if let iteration = try loop.resumeIfPossible(restartCorrupt: options.restartCorrupt) {
            // A resumed run keeps the record of the sessions that trained its first iterations (a checkpoint set
            // aside as corrupt starts the run afresh, with this session's record alone).
            if let earlier { try directory.write(session.resuming(earlier), to: "provenance.json") }
            reporter.event("[\(position)/\(total)] \(experiment.label) (\(id)): resuming at iteration \(iteration)")
        }
        var result = RunResult(id: id, grid: file.name, label: experiment.label,
                               axes: Dictionary(uniqueKeysWithValues: experiment.axisValues.map { (Grid.shortName($0.path), Grid.plain($0.value)) }),
                               status: "finished", reason: nil, iterations: c.training.iterations, final: nil, best: nil,
                               metricProtocol: evaluator.metricProtocol, datasetFingerprint: inputs.train.fingerprint,
                               subsetIdentity: inputs.manifest.identity, seconds: 0)
        do {
            try loop.train()
            if c.evaluation.finalExtractor == .inception {
                var second = c
                (second.evaluation.extractor, second.evaluation.extractorWeights) = (.inception, "")
                reporter.event("[\(position)/\(total)] \(experiment.label) (\(id)): scoring the final and best generators with Inception-v3")
                result.finalScores = try loop.finalScores(with: try data.evaluator(second, inputs), tracking: evaluator)
            }
            if c.evaluation.explain {
                reporter.event("[\(position)/\(total)] \(experiment.label) (\(id)): explaining the final generator (precision/recall, memorisation, leakage)")
                result.explanations = try loop.explanations(with: evaluator)
            }
        } catch let failure as RunFailure {
            result.status = "failed"
            result.reason = failure.reason
        }
        result.final = loop.lines.last
        result.best = loop.lines.min { $0.fid < $1.fid }
        result.seconds = loop.seconds
        result.timeSplit = loop.time
        try directory.write(result, to: "result.json")
        if result.status == "finished" {
            reporter.event(String(format: "[%d/%d] %@ (%@): finished, FID %.2f (best %.2f at %d) in %@; %@", position, total, experiment.label, id,
                                  result.final?.fid ?? .nan, result.best?.fid ?? .nan, result.best?.iteration ?? 0,
                                  DurationText.format(result.seconds), loop.time.summary),
                           fields: ["id": id, "status": "finished", "fid": result.final?.fid ?? -1])
        } else {
            reporter.event("[\(position)/\(total)] \(experiment.label) (\(id)): FAILED: \(result.reason ?? "")",
                           fields: ["id": id, "status": "failed", "reason": result.reason ?? ""])
        }
        return result
    }
}
