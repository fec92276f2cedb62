import Data
import Foundation
import Results
import Metrics
import Models
import Storage
import TensorCore

/// The training loop of one run, top to bottom: resume from the last checkpoint if there is one; then until
/// `training.iterations`: one step (d_steps D updates, one G update, the EMA); every `evaluation.every`
/// iterations and at the end, an evaluation (samples of the EMA generator → FID, IS, KID; D's accuracy on
/// training and held-out reals), a sample grid, and the best-FID checkpoint when FID improved; every
/// `training.checkpoint_every` iterations and after each evaluation, the latest checkpoint.
final class TrainingLoop {
    let run: TrainingRun
    let evaluator: Evaluator
    let inputs: RunInputs
    let directory: RunDirectory
    let reporter: ProgressReporter
    var status: ProgressReporter.Status
    private(set) var lines: [MetricsLine] = []
    private(set) var time = TimeSplit()
    /// Wall seconds of earlier sessions of this run (from its checkpoint).
    private var earlierSeconds = 0.0

    init(run: TrainingRun, evaluator: Evaluator, inputs: RunInputs, directory: RunDirectory, reporter: ProgressReporter,
         status: ProgressReporter.Status) {
        self.run = run
        self.evaluator = evaluator
        self.inputs = inputs
        self.directory = directory
        self.reporter = reporter
        self.status = status
    }

    var checkpointPath: String { directory.path("checkpoint.h5") }

    /// A checkpoint that cannot be read: the run stops with this error (the grid goes on) unless it is restarted.
    struct CorruptCheckpoint: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String {
            "\(path) is corrupt (\(reason)); delete it to train this run from the start, or rerun with --restart-corrupt"
        }
    }

    /// Restores the latest checkpoint when there is one; returns the iteration it resumes at (nil: fresh start).
    /// An unreadable checkpoint throws `CorruptCheckpoint`, or with `restartCorrupt` is set aside (renamed
    /// checkpoint.h5.corrupt) together with the run's metrics, and the run starts from the beginning.
    func resumeIfPossible(restartCorrupt: Bool) throws -> Int? {
        guard FileManager.default.fileExists(atPath: checkpointPath) else { return nil }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.read(from: checkpointPath) } catch {
            guard restartCorrupt else { throw CorruptCheckpoint(path: checkpointPath, reason: "\(error)") }
            _ = try? FileManager.default.removeItem(atPath: checkpointPath + ".corrupt")
            try FileManager.default.moveItem(atPath: checkpointPath, toPath: checkpointPath + ".corrupt")
            for name in ["metrics.jsonl", "checkpoint-best.h5"] { try? FileManager.default.removeItem(atPath: directory.path(name)) }
            return nil
        }
        try run.restore(checkpoint)
        earlierSeconds = checkpoint.doubles["seconds"] ?? 0
        time = TimeSplit(checkpointValues: checkpoint.doubles)
        lines = directory.readMetrics().filter { $0.iteration <= run.iteration }
        status.lastFID = lines.last?.fid
        return run.iteration
    }

    /// Trains to the configured number of iterations; throws `RunFailure` when a loss diverges.
    func train() throws {
        let config = run.config
        let start = Date(), startIteration = run.iteration
        status.iteration = run.iteration
        while run.iteration < config.training.iterations {
            try measure(\.training) { try run.step(inputs.train) }
            let sessionSeconds = Date().timeIntervalSince(start)
            status.iteration = run.iteration
            status.iterationsPerSecond = Double(run.iteration - startIteration) / max(sessionSeconds, 1e-9)
            status.lossD = run.lossSums.d / Double(max(run.lossSums.count * config.training.dSteps, 1))
            status.lossG = run.lossSums.g / Double(max(run.lossSums.count, 1))
            reporter.update(status)
            let evaluate = run.iteration % config.evaluation.every == 0 || run.iteration == config.training.iterations
            if evaluate { try evaluateAndRecord(seconds: earlierSeconds + Date().timeIntervalSince(start)) }
            if evaluate || run.iteration % config.training.checkpointEvery == 0 {
                let seconds = earlierSeconds + Date().timeIntervalSince(start)
                try measure(\.checkpoints) { try checkpoint(seconds: seconds).write(to: checkpointPath) }
            }
        }
        earlierSeconds += Date().timeIntervalSince(start)
    }

    /// Wall seconds of the whole run, over all its sessions.
    var seconds: Double { earlierSeconds }

    private func evaluateAndRecord(seconds: Double) throws {
        let images = measure(\.sampling) { evaluator.samples(run.evaluatedGenerator) }
        let scores = try measure(\.metrics) { try evaluator.scores(of: images) }
        let shape = inputs.train.imageShape
        let (train, heldOut) = measure(\.discriminatorAccuracy) {
            (Evaluator.realAccuracy(run.discriminator, images: inputs.trainingReals.images, labels: inputs.trainingReals.labels, imageShape: shape),
             Evaluator.realAccuracy(run.discriminator, images: inputs.heldOutReals.images, labels: inputs.heldOutReals.labels, imageShape: shape))
        }
        let losses = run.takeMeanLosses()
        let line = MetricsLine(iteration: run.iteration, fid: scores.fid, isMean: scores.isMean, isStd: scores.isStd, kidMean: scores.kidMean,
                               kidStd: scores.kidStd, dAccuracyTrain: train, dAccuracyHeldOut: heldOut, adaP: run.ada.probability,
                               lossD: losses.d, lossG: losses.g, seconds: seconds)
        lines.append(line)
        status.lastFID = line.fid
        try directory.writeMetrics(lines)
        try measure(\.sampleGrids) { try writeSamples(evaluationImages: images) }
        if line.fid <= (lines.map(\.fid).min() ?? .infinity) {
            try measure(\.checkpoints) { try checkpoint(seconds: seconds).write(to: directory.path("checkpoint-best.h5")) }
        }
        reporter.update(status, force: true)
    }

    private func checkpoint(seconds: Double) throws -> Checkpoint {
        try run.checkpoint(extra: time.checkpointValues.merging(["seconds": seconds]) { _, new in new })
    }

    /// The sample grid: the first images of the evaluation's samples (the same latent stream), drawn anew only
    /// when the grid asks for more images than the evaluation draws.
    private func writeSamples(evaluationImages: Tensor) throws {
        let count = run.config.evaluation.gridImages
        let images = count <= evaluationImages.shape[0]
            ? evaluationImages.sliced(alongAxis: 0, 0..<count) : evaluator.samples(run.evaluatedGenerator, count: count)
        let grid = ImageGrid.make(images.scalars, count: count, channels: inputs.train.channels, height: inputs.train.height,
                                  width: inputs.train.width, columns: Int(Double(count).squareRoot().rounded(.up)))
        try grid.write(to: directory.path(String(format: "samples/iteration-%06d.png", run.iteration)))
        try grid.write(to: directory.path("samples.png"))
    }

    /// Runs `body` and adds its wall time to one part of the split.
    private func measure<T>(_ part: WritableKeyPath<TimeSplit, Double>, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { time[keyPath: part] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}
