import ArgumentParser
import Experiments
import Results
import Foundation
import Models
import TensorCore

/// `augbench run CONFIG`: train every experiment of a grid (or the ones asked for).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a grid of experiments from a JSON config (skipping finished runs, resuming interrupted ones).")

    @Argument(help: "Config file (JSON).") var config: String
    @Option(help: "Only experiments matching these axis values, e.g. 'strategy=diffaugment,fraction=0.1' or 'policy=translation,cutout'.") var only: String?
    @Flag(help: "List the experiments with ids and estimated cost; train nothing.") var dryRun = false
    @Option(help: "Run shard i of n (0-based), e.g. 0/4: experiments in id order, every n-th from i.") var shard: String?
    @Option(help: "Progress output: terminal, plain or json (default: terminal on a TTY, plain otherwise).") var progress: String?
    @Option(help: "Results folder.") var results = "results"
    @Option(help: "Folder of FeatureNet weights.") var weights = "weights"
    @Option(help: "Experiments at once, each in a process pinned to its share of the cores (default: the cores, at most the unfinished experiments). Results equal a sequential run's.")
    var jobs: Int?
    @Flag(help: "Set aside an unreadable checkpoint (checkpoint.h5.corrupt) and train that run from the start; without it such a run is reported failed and the grid goes on.")
    var restartCorrupt = false

    func run() throws {
        var options = RunOptions()
        options.resultsFolder = results
        options.weightsFolder = weights
        options.restartCorrupt = restartCorrupt
        options.kernel = Startup.kernel
        if let only {
            guard let pairs = RunOptions.parseOnly(only) else {
                throw ValidationError("--only expects axis=value pairs separated by commas (a value may hold commas: policy=translation,cutout), got '\(only)'")
            }
            options.only = pairs
        }
        if let shard {
            let parts = shard.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] > 0, parts[0] >= 0, parts[0] < parts[1] else {
                throw ValidationError("--shard expects i/n with 0 ≤ i < n, got '\(shard)'")
            }
            options.shard = (parts[0], parts[1])
        }
        if let progress {
            guard let style = ProgressStyle(rawValue: progress) else { throw ValidationError("--progress must be terminal, plain or json") }
            options.progress = style
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        let file = try ConfigLoader.load(config)
        let runner = try GridRunner(file: file, options: options)
        if dryRun { return try printPlan(runner) }
        let planned = try runner.plannedRuns()
        let pending = planned.filter { RunDirectory(runner.folder(for: $0.id)).result?.status != "finished" }
        // Shards are a scheduler's parallelism: each runs one experiment at a time unless told otherwise.
        let jobs = self.jobs ?? (options.shard != nil ? 1 : min(Parallel.workerCount, max(1, pending.count)))
        let quiet = options.progress == .json
        if !quiet {
            print("grid \(file.name): \(planned.count) experiment(s)\(options.shard.map { " (shard \($0.index)/\($0.count))" } ?? "")"
                  + "\(jobs > 1 ? ", \(jobs) at a time" : ""); runs in \(results)/\(RunStore.folderName)/<id>/, grid record in \(results)/\(file.name)/")
        }
        let summary = jobs > 1 ? try runInPool(runner, pending: Set(pending.map(\.id)), jobs: jobs, options: options)
                               : try runner.run()
        if quiet { return try summary.failed.isEmpty ? () : { throw ExitCode(2) }() }
        print("\nsummary: \(summary.finished.count) finished, \(summary.skipped.count) already done, \(summary.busy.count) held by other workers, \(summary.failed.count) failed")
        for failure in summary.failed { print("  FAILED \(failure.label) (\(failure.id)): \(failure.reason)") }
        print("results: `augbench table \(config)\(results == "results" ? "" : " --results \(results)")` (grid record in \(results)/\(file.name)/)")
        if !summary.failed.isEmpty { throw ExitCode(2) }
    }

    /// `jobs` worker processes of this command; the summary is read from the run folders afterwards.
    private func runInPool(_ runner: GridRunner, pending: Set<String>, jobs: Int, options: RunOptions) throws -> GridSummary {
        var arguments = [config, "--results", results, "--weights", weights]
        if let only { arguments += ["--only", only] }
        if let shard { arguments += ["--shard", shard] }
        if restartCorrupt { arguments.append("--restart-corrupt") }
        let statuses = try JobPool(jobs: jobs, workerArguments: arguments, style: options.progress).run()
        return try runner.summary(pendingAtStart: pending, unfinishedReason: "no worker finished it (worker exit statuses \(statuses))")
    }

    private func printPlan(_ runner: GridRunner) throws {
        let planned = try runner.plannedRuns()
        print("grid \(runner.file.name): \(planned.count) experiment(s)")
        print("| id | experiment | status | iterations | GFLOP/iteration | measured s/iteration | training time left |")
        print("|---|---|---|---:|---:|---:|---:|")
        var (total, unestimated) = (0.0, 0)
        for (id, experiment) in planned {
            let (status, done) = Self.status(of: RunDirectory(runner.folder(for: id)))
            guard done < experiment.config.training.iterations else {
                print("| \(id) | \(experiment.label) | \(status) | \(experiment.config.training.iterations) | | | \(DurationText.format(0)) |")
                continue
            }
            // An experiment that cannot take a step (it diverges at once) is listed, and the plan goes on.
            let cost: CostEstimate
            do { cost = try runner.estimate(experiment) } catch {
                print("| \(id) | \(experiment.label) | \(status) | \(experiment.config.training.iterations) | | | cannot estimate: \(error) |")
                unestimated += 1
                continue
            }
            let left = cost.trainingSeconds * Double(cost.iterations - done) / Double(max(cost.iterations, 1))
            total += left
            print(String(format: "| %@ | %@ | %@ | %d | %.2f | %.3f | %@ |", id, experiment.label, status, cost.iterations,
                         cost.flopsPerIteration / 1e9, cost.secondsPerIteration, DurationText.format(left)))
        }
        print("training time left ≈ \(DurationText.format(total)) on this machine (evaluations not included)"
              + (unestimated > 0 ? ", and \(unestimated) experiment(s) that cannot be estimated" : ""))
    }

    /// "finished (FID 0.69)", "at iteration N" (a checkpoint to resume from) or "not started"; a failed run, which
    /// `run` trains again, reads "failed, at iteration N" or "failed, from the start". With the iterations already
    /// done (all of them for a finished run).
    static func status(of directory: RunDirectory) -> (text: String, iterations: Int) {
        let result = directory.result
        if let result, result.status == "finished" {
            return (result.final.map { String(format: "finished (FID %.2f)", $0.fid) } ?? "finished", .max)
        }
        let failed = result.map { "\($0.status), " } ?? ""
        let path = directory.path("checkpoint.h5")
        guard FileManager.default.fileExists(atPath: path) else { return (result == nil ? "not started" : failed + "from the start", 0) }
        guard let iteration = (try? Checkpoint.read(from: path))?.integers["iteration"] else { return (failed + "unreadable checkpoint", 0) }
        return (failed + "at iteration \(iteration)", Int(iteration))
    }
}
