import Data
import Foundation
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
    public init() {}
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
            guard let lock = RunLock.acquire(directory.path("lock")) else {
                summary.busy.append(id)
                reporter.event("[\(position + 1)/\(runs.count)] \(experiment.label) (\(id)): skipped, \(RunLock.holder(of: directory.path("lock"))) is training it (lock \(directory.path("lock")), released when that process ends)",
                               fields: ["id": id, "status": "busy"])
                continue
            }
            defer { lock.release() }
            let result = try runOne(experiment, id: id, directory: directory, position: position + 1, of: runs.count)
            if result.status == "finished" { summary.finished.append(id) } else {
                summary.failed.append((id, experiment.label, result.reason ?? "unknown"))
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

    /// Trains one experiment to the end (or to a failure) and writes its result.json.
    func runOne(_ experiment: Experiment, id: String, directory: RunDirectory, position: Int, of total: Int) throws -> RunResult {
        let c = experiment.config
        let inputs = try data.inputs(c)
        let evaluator = try data.evaluator(c, inputs)
        try directory.write(c.json, to: "config.json")
        try directory.write(inputs.manifest, to: "manifest.json")
        try directory.write(ProvenanceProbe.current(kernel: options.kernel ?? BLASKernel.describeRunning()), to: "provenance.json")
        if c.model.conditional && inputs.train.labels == nil {
            throw ConfigError(file: file.path, path: "model.conditional", "dataset \(c.dataset.name) has no class labels")
        }
        let run = try TrainingRun(config: c, trainIndices: inputs.manifest.indices, imageChannels: inputs.train.channels,
                                  classes: inputs.train.classCount)
        var lines: [MetricsLine] = []
        var elapsed = 0.0
        let checkpointPath = directory.path("checkpoint.h5")
        if FileManager.default.fileExists(atPath: checkpointPath) {
            let checkpoint = try Checkpoint.read(from: checkpointPath)
            try run.restore(checkpoint)
            elapsed = checkpoint.doubles["seconds"] ?? 0
            lines = directory.readMetrics().filter { $0.iteration <= run.iteration }
            reporter.event("[\(position)/\(total)] \(experiment.label) (\(id)): resuming at iteration \(run.iteration)")
        }
        var result = RunResult(id: id, grid: file.name, label: experiment.label,
                               axes: Dictionary(uniqueKeysWithValues: experiment.axisValues.map { (Grid.shortName($0.path), Grid.plain($0.value)) }),
                               status: "finished", reason: nil, iterations: c.training.iterations, final: nil, best: nil,
                               metricProtocol: evaluator.metricProtocol, datasetFingerprint: inputs.train.fingerprint,
                               subsetIdentity: inputs.manifest.identity, seconds: 0)
        let start = Date(), startIteration = run.iteration
        var status = ProgressReporter.Status(run: position, runs: total, label: experiment.label, iteration: run.iteration,
                                             iterations: c.training.iterations, iterationsPerSecond: 0, lossD: 0, lossG: 0,
                                             lastFID: lines.last?.fid)
        do {
            while run.iteration < c.training.iterations {
                try run.step(inputs.train)
                let seconds = elapsed + Date().timeIntervalSince(start)
                status.iteration = run.iteration
                status.iterationsPerSecond = Double(run.iteration - startIteration) / max(Date().timeIntervalSince(start), 1e-9)
                status.lossD = run.lossSums.d / Double(max(run.lossSums.count * c.training.dSteps, 1))
                status.lossG = run.lossSums.g / Double(max(run.lossSums.count, 1))
                reporter.update(status)
                let evaluate = run.iteration % c.evaluation.every == 0 || run.iteration == c.training.iterations
                if evaluate {
                    let images = evaluator.samples(run.evaluatedGenerator)
                    let line = try evaluation(run, evaluator, inputs, images: images, seconds: seconds)
                    lines.append(line)
                    status.lastFID = line.fid
                    try directory.writeMetrics(lines)
                    try writeSamples(run, evaluator, directory, inputs, evaluationImages: images)
                    if line.fid <= (lines.map(\.fid).min() ?? .infinity) {
                        try run.checkpoint(extra: ["seconds": seconds]).write(to: directory.path("checkpoint-best.h5"))
                    }
                    reporter.update(status, force: true)
                }
                if evaluate || run.iteration % c.training.checkpointEvery == 0 {
                    try run.checkpoint(extra: ["seconds": seconds]).write(to: checkpointPath)
                }
            }
        } catch let failure as RunFailure {
            result.status = "failed"
            result.reason = failure.reason
        }
        result.final = lines.last
        result.best = lines.min { $0.fid < $1.fid }
        result.seconds = elapsed + Date().timeIntervalSince(start)
        try directory.write(result, to: "result.json")
        if result.status == "finished" {
            reporter.event(String(format: "[%d/%d] %@ (%@): finished, FID %.2f (best %.2f at %d) in %@", position, total, experiment.label, id,
                                  result.final?.fid ?? .nan, result.best?.fid ?? .nan, result.best?.iteration ?? 0,
                                  ProgressReporter.duration(result.seconds)),
                           fields: ["id": id, "status": "finished", "fid": result.final?.fid ?? -1])
        } else {
            reporter.event("[\(position)/\(total)] \(experiment.label) (\(id)): FAILED: \(result.reason ?? "")",
                           fields: ["id": id, "status": "failed", "reason": result.reason ?? ""])
        }
        return result
    }

    func evaluation(_ run: TrainingRun, _ evaluator: Evaluator, _ inputs: RunInputs, images: Tensor, seconds: Double) throws -> MetricsLine {
        let scores = try evaluator.scores(of: images)
        let shape = inputs.train.imageShape
        let losses = run.takeMeanLosses()
        return MetricsLine(iteration: run.iteration, fid: scores.fid, isMean: scores.isMean, isStd: scores.isStd, kidMean: scores.kidMean,
                           kidStd: scores.kidStd,
                           dAccuracyTrain: Evaluator.realAccuracy(run.discriminator, images: inputs.trainingReals.images,
                                                                  labels: inputs.trainingReals.labels, imageShape: shape),
                           dAccuracyHeldOut: Evaluator.realAccuracy(run.discriminator, images: inputs.heldOutReals.images,
                                                                    labels: inputs.heldOutReals.labels, imageShape: shape),
                           adaP: run.ada.probability, lossD: losses.d, lossG: losses.g, seconds: seconds)
    }

    /// The sample grid: the first images of the evaluation's samples (the same latent stream), drawn anew only
    /// when the grid asks for more images than the evaluation draws.
    func writeSamples(_ run: TrainingRun, _ evaluator: Evaluator, _ directory: RunDirectory, _ inputs: RunInputs,
                      evaluationImages: Tensor) throws {
        let count = run.config.evaluation.gridImages
        let images = count <= evaluationImages.shape[0]
            ? evaluationImages.sliced(alongAxis: 0, 0..<count) : evaluator.samples(run.evaluatedGenerator, count: count)
        let grid = ImageGrid.make(images.scalars, count: count, channels: inputs.train.channels, height: inputs.train.height,
                                  width: inputs.train.width, columns: Int(Double(count).squareRoot().rounded(.up)))
        try grid.write(to: directory.path(String(format: "samples/iteration-%06d.png", run.iteration)))
        try grid.write(to: directory.path("samples.png"))
    }
}
