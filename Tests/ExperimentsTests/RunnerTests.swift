import Experiments
import Results
import Foundation
import Metrics
import Models
import TensorCore
import TestSupport
import XCTest

/// Trains tiny grids for real through `augbench run` (Fashion-MNIST, a width-4 DCGAN, a random FeatureNet).
final class RunnerTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (run scripts/setup)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("augbench-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("weights"), withIntermediateDirectories: true)
        var stream = RandomStream(seed: 1, name: "test-extractor")
        let net = FeatureNet(channels: 1, classes: 10, width: 4, featureDimension: 16, stream: &stream)
        try FeatureNetWeights.write(net, channels: 1, width: 4, datasetName: "fashion-mnist", datasetFingerprint: "test",
                                    testAccuracy: 0, command: "RunnerTests", to: folder.appendingPathComponent("weights/featurenet-fashion-mnist.h5").path)
    }

    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    func config(_ name: String, iterations: Int, extra: String = "", grid: String = #"{"strategy": ["none", "diffaugment"]}"#,
                width: Int = 4, batch: Int = 8) throws -> String {
        let path = folder.appendingPathComponent("\(name).json").path
        try """
        {"name": "\(name)", "dataset": {"name": "fashion-mnist"}, "subset": {"fraction": 0.002},
         "model": {"width": \(width)}, "training": {"iterations": \(iterations), "batch_size": \(batch), "checkpoint_every": 2 \(extra)},
         "augment": {"policy": "translation,cutout"},
         "evaluation": {"every": 4, "samples": 60, "is_splits": 3, "kid_subsets": 2, "kid_subset_size": 30,
                        "training_reals": 40, "held_out_reals": 40, "grid_images": 4},
         "grid": \(grid)}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func run(_ arguments: [String], results: String = "results", environment: [String: String?] = [:]) throws -> CommandRunner.Output {
        try CommandRunner.run(["run"] + arguments + ["--results", folder.appendingPathComponent(results).path,
                                                    "--weights", folder.appendingPathComponent("weights").path],
                              environment: environment)
    }

    /// The run folders (results/runs/<id>) of the experiments grid.json names that exist, in id order.
    func runFolders(_ grid: String, results: String = "results") throws -> [URL] {
        let root = folder.appendingPathComponent(results)
        guard let record = RunDirectory(root.appendingPathComponent(grid)).read(GridRecord.self, from: "grid.json") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: root.appendingPathComponent(grid).path + "/grid.json"])
        }
        return (record.runs ?? []).map { RunStore.folder(resultsRoot: root.path, id: $0.id) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }.sorted { $0.path < $1.path }
    }

    func testTwoRunGridWritesEverythingAndSkipsFinishedRuns() throws {
        let path = try config("tiny", iterations: 8)
        let first = try run([path])
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(first.stdout.contains("2 finished"), first.stdout)
        XCTAssertTrue(first.stdout.contains("; training ") && first.stdout.contains("evaluation "), first.stdout)
        let runs = try runFolders("tiny")
        XCTAssertEqual(runs.count, 2)
        for run in runs {
            let directory = RunDirectory(run)
            for file in ["config.json", "manifest.json", "provenance.json", "metrics.jsonl", "checkpoint.h5", "checkpoint-best.h5",
                         "result.json", "samples.png", "samples/iteration-000004.png"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path(file)), "\(run.lastPathComponent)/\(file)")
            }
            let result = try XCTUnwrap(directory.result)
            XCTAssertEqual(result.status, "finished")
            XCTAssertEqual(directory.readMetrics().map(\.iteration), [4, 8])
            XCTAssertTrue(result.final!.fid.isFinite)
            XCTAssertEqual(result.metricProtocol?.sampleCount, 60)
            let time = try XCTUnwrap(result.timeSplit, "result.json keeps where the time went")
            XCTAssertTrue(time.training > 0 && time.metrics > 0 && time.checkpoints > 0 && time.sampleGrids > 0, "\(time)")
            XCTAssertLessThanOrEqual(time.total, result.seconds + 0.5)
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path("lock")))
        }
        let again = try run([path])
        XCTAssertTrue(again.stdout.contains("2 already done"), again.stdout)
        let only = try run([path, "--only", "strategy=diffaugment", "--dry-run"])
        XCTAssertTrue(only.stdout.contains("1 experiment(s)") && only.stdout.contains("GFLOP"), only.stdout)
        XCTAssertTrue(only.stdout.contains("| finished (FID ") && only.stdout.contains("training time left ≈ 0m00s"), only.stdout)
        let bogus = try run([path, "--only", "strategy=bogus"])
        XCTAssertEqual(bogus.status, 1)
        XCTAssertTrue(bogus.stderr.contains("--only strategy=bogus: no experiment has that value (values in this grid: diffaugment, none)"), bogus.stderr)
        let noAxis = try run([path, "--only", "flavour=mint"])
        XCTAssertEqual(noAxis.status, 1)
        XCTAssertTrue(noAxis.stderr.contains("--only flavour=mint: no such axis or setting (the grid's axes: strategy)"), noAxis.stderr)

        // run → table → baseline → diff: unchanged results pass; a worse FID fails the diff.
        let results = folder.appendingPathComponent("results/tiny").path
        let table = try CommandRunner.run(["table", results])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("| strategy | best FID | final FID |") && table.stdout.contains("| diffaugment |"), table.stdout)
        let unknownRow = try CommandRunner.run(["table", results, "--compare-to", "bogus"])
        XCTAssertNotEqual(unknownRow.status, 0)
        XCTAssertTrue(unknownRow.stderr.contains("--compare-to bogus: no such row") && unknownRow.stderr.contains("diffaugment, none"), unknownRow.stderr)
        let baseline = folder.appendingPathComponent("baseline.json").path
        XCTAssertEqual(try CommandRunner.run(["baseline", "save", results, baseline]).status, 0)
        let same = try CommandRunner.run(["diff", results, baseline])
        XCTAssertEqual(same.status, 0, same.stdout)
        let directory = RunDirectory(runs[0])
        var worse = try XCTUnwrap(directory.result)
        worse.final!.fid += 100
        try directory.write(worse, to: "result.json")
        let regressed = try CommandRunner.run(["diff", results, baseline, "--json"])
        XCTAssertEqual(regressed.status, 1, regressed.stdout)
        XCTAssertTrue(regressed.stdout.contains("\"verdict\" : \"regression\""), regressed.stdout)
    }

    /// The report: SVG charts over seeds with hover values, the explanation columns and neighbour strips, all
    /// rendered by headless Chromium (every image decoded, the charts' text in the page); a screenshot is kept in
    /// .build/test-artifacts/report.png to look at.
    func testReportRendersWithItsImagesInHeadlessChromium() throws {
        let base = try config("report-base", iterations: 8, grid: #"{"strategy": ["none", "diffaugment"], "seed": [0, 1]}"#)
        let path = folder.appendingPathComponent("report.json").path
        try #"{"extends": "\#(base)", "name": "report", "evaluation": {"explain": true}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run([path]).status, 0)
        let results = folder.appendingPathComponent("results/report").path
        let plot = try CommandRunner.run(["plot", results])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let svg = try String(contentsOfFile: results + "/plots/fid.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=") && svg.contains("<polygon") && svg.contains("(2 seeds)") && svg.contains("<title>"), String(svg.prefix(300)))
        let report = try CommandRunner.run(["report", results])
        XCTAssertEqual(report.status, 0, report.stderr)
        let html = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<table>") && html.contains("data:image/png;base64,") && html.contains("<svg viewBox"))
        XCTAssertTrue(html.contains("precision") && html.contains("nearest training images") && html.contains("better mirrored"),
                      "explanations in the report")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "the report must not need the network")
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("headless Chromium is not installed (`scripts/setup --test` installs the Debian package chromium)")
        }
        func chromiumRun(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu"] + arguments + [results + "/report.html"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return output
        }
        let dom = try chromiumRun(["--dump-dom"])
        // 4 runs: a sample grid and a neighbour strip each, all decoded by the browser; the two SVG charts in the page.
        XCTAssertTrue(dom.contains("data-images-loaded=\"8/8\""), String(dom.prefix(400)))
        XCTAssertTrue(dom.contains("FID over training") && dom.contains("D accuracy on reals"), "the charts' text is in the page")
        let artifacts = Fixtures.repository.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("report.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        _ = try chromiumRun(["--screenshot=\(screenshot)", "--window-size=1200,2200", "--hide-scrollbars"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: screenshot), "Chromium wrote the screenshot")
        print("RunnerTests: report screenshot in \(screenshot)")
    }

    func testAKilledRunResumesToExactlyTheUninterruptedMetrics() throws {
        let path = try config("resume", iterations: 24, grid: #"{"strategy": ["diffaugment"]}"#)
        XCTAssertEqual(try run([path], results: "straight").status, 0)
        let expected = RunDirectory(try runFolders("resume", results: "straight")[0]).readMetrics().map(\.withoutTiming)

        // Start the same grid elsewhere, kill -9 it once a mid-run checkpoint exists, then run it again.
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["run", path, "--results", folder.appendingPathComponent("killed").path,
                             "--weights", folder.appendingPathComponent("weights").path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var killedAt: Int?
        while Date() < deadline, killedAt == nil {
            if let runFolder = try? runFolders("resume", results: "killed").first,
               let iteration = try? Checkpoint.read(from: runFolder.appendingPathComponent("checkpoint.h5").path).integers["iteration"],
               iteration >= 6 {
                kill(process.processIdentifier, SIGKILL)
                killedAt = Int(iteration)
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        XCTAssertNotNil(killedAt, "no checkpoint appeared")
        let resumed = try run([path], results: "killed")
        XCTAssertEqual(resumed.status, 0, resumed.stdout + "\n" + resumed.stderr)
        let directory = RunDirectory(try runFolders("resume", results: "killed")[0])
        if let killedAt, killedAt < 24 { XCTAssertTrue(resumed.stdout.contains("resuming at iteration"), resumed.stdout) }
        XCTAssertEqual(directory.readMetrics().map(\.withoutTiming), expected)
        XCTAssertEqual(directory.result?.status, "finished")
        // The provenance keeps the killed session's record beside the one that finished the run.
        let provenance = try XCTUnwrap(directory.read(Provenance.self, from: "provenance.json"))
        if let killedAt, killedAt < 24 {
            XCTAssertEqual(provenance.earlierSessions?.count, 1)
            XCTAssertNil(provenance.earlierSessions?.first?.earlierSessions)
        }
        XCTAssertEqual(provenance.executable?.count, 32, "the executable's fingerprint")
    }

    /// The worker count (and so `run --jobs`, which gives each process a share of the cores) must not change
    /// the arithmetic: a width-8 DCGAN at batch 16 (Winograd and im2col layers, chunked by worker count)
    /// trains to the same metrics with one worker thread and with three.
    func testResultsDoNotDependOnTheThreadCount() throws {
        let path = try config("threads", iterations: 6, width: 8, batch: 16)
        var metrics: [[String: [MetricsLine]]] = []
        for threads in ["1", "3"] {
            let output = try run([path, "--jobs", "1"], results: "threads-\(threads)", environment: ["AUGBENCH_THREADS": threads])
            XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
            let runs = try runFolders("threads", results: "threads-\(threads)")
            XCTAssertEqual(runs.count, 2)
            metrics.append(Dictionary(uniqueKeysWithValues: runs.map { ($0.lastPathComponent, RunDirectory($0).readMetrics().map(\.withoutTiming)) }))
            let provenance = try String(contentsOf: runs[0].appendingPathComponent("provenance.json"), encoding: .utf8)
            XCTAssertTrue(provenance.replacingOccurrences(of: " ", with: "").contains("\"blas_threads\":\(threads)"), provenance)
        }
        XCTAssertEqual(metrics[0], metrics[1])
        XCTAssertEqual(metrics[0].values.map(\.count), [2, 2])
    }

    /// `run --jobs 2`: two pinned worker processes share the grid through the run locks and produce exactly
    /// the sequential run's metrics.
    func testJobsRunAGridInParallelWithTheSequentialResults() throws {
        let path = try config("jobs", iterations: 6, grid: #"{"strategy": ["none", "diffaugment", "reals-only"]}"#, width: 8, batch: 16)
        let sequential = try run([path, "--jobs", "1"], results: "sequential")
        XCTAssertEqual(sequential.status, 0, sequential.stdout + sequential.stderr)
        let parallel = try run([path, "--jobs", "2", "--progress", "plain"], results: "parallel")
        XCTAssertEqual(parallel.status, 0, parallel.stdout + parallel.stderr)
        XCTAssertTrue(parallel.stdout.contains("2 at a time") && parallel.stdout.contains("3 finished, 0 already done"), parallel.stdout)
        XCTAssertTrue(parallel.stdout.contains("[job 1]") && parallel.stdout.contains("[job 2]"), parallel.stdout)
        func metrics(_ results: String) throws -> [String: [MetricsLine]] {
            Dictionary(uniqueKeysWithValues: try runFolders("jobs", results: results).map {
                ($0.lastPathComponent, RunDirectory($0).readMetrics().map(\.withoutTiming))
            })
        }
        XCTAssertEqual(try metrics("parallel"), try metrics("sequential"))
        XCTAssertEqual(try metrics("parallel").count, 3)
        if Parallel.allowedCPUs().count >= 2 {
            for folder in try runFolders("jobs", results: "parallel") {
                let provenance = try String(contentsOf: folder.appendingPathComponent("provenance.json"), encoding: .utf8)
                let threads = Parallel.allowedCPUs().count / 2
                XCTAssertTrue(provenance.replacingOccurrences(of: " ", with: "").contains("\"blas_threads\":\(threads)"), provenance)
            }
        }
        let again = try run([path, "--jobs", "2"], results: "parallel")
        XCTAssertTrue(again.stdout.contains("0 finished, 3 already done"), again.stdout)
    }

    /// Killing `run --jobs` with SIGKILL takes its workers with it (no orphan keeps training or holding locks).
    func testWorkersDieWithTheirParent() throws {
        let path = try config("orphans", iterations: 100_000, grid: #"{"strategy": ["none", "diffaugment"]}"#)
        let parent = Process()
        parent.executableURL = CommandRunner.executable
        parent.arguments = ["run", path, "--jobs", "2", "--results", folder.appendingPathComponent("orphans").path,
                            "--weights", folder.appendingPathComponent("weights").path]
        parent.standardOutput = FileHandle.nullDevice
        try parent.run()
        func heldLocks() -> Int {
            ((try? runFolders("orphans", results: "orphans")) ?? []).filter { folder in
                let path = folder.appendingPathComponent("lock").path
                guard FileManager.default.fileExists(atPath: path) else { return false }
                guard let lock = RunLock.acquire(path) else { return true }
                lock.release()
                return false
            }.count
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, heldLocks() < 2 { usleep(20_000) }
        XCTAssertEqual(heldLocks(), 2, "both workers train")
        kill(parent.processIdentifier, SIGKILL)
        parent.waitUntilExit()
        let released = Date().addingTimeInterval(10)
        while Date() < released, heldLocks() > 0 { usleep(20_000) }
        XCTAssertEqual(heldLocks(), 0, "the workers died with their parent")
    }

    /// Runs live in results/runs/<content id>: a second grid that contains an experiment of the first finds it
    /// finished instead of training it again, and its table labels the run with its own axes.
    func testAnExperimentSharedByTwoGridsIsTrainedOnce() throws {
        let first = try config("first", iterations: 4, grid: #"{"strategy": ["none"]}"#)
        let second = try config("second", iterations: 4, grid: #"{"strategy": ["none", "diffaugment"], "seed": [0]}"#)
        XCTAssertTrue(try run([first]).stdout.contains("1 finished, 0 already done"))
        let output = try run([second])
        XCTAssertTrue(output.stdout.contains("1 finished, 1 already done"), output.stdout)
        XCTAssertEqual(try runFolders("first").count, 1)
        XCTAssertEqual(Set(try runFolders("second")).intersection(try runFolders("first")).count, 1)
        let table = try CommandRunner.run(["table", folder.appendingPathComponent("results/second").path])
        XCTAssertTrue(table.stdout.contains("| none |") && table.stdout.contains("| diffaugment |"), table.stdout)
    }

    /// The kill -9 soak: a two-run grid under `--jobs 2` killed with SIGKILL at seeded random moments ten
    /// times, then run to the end, holds exactly an uninterrupted grid's metrics, and no temporary files.
    func testAGridKilledTenTimesEndsAsAnUninterruptedOne() throws {
        let path = try config("soak", iterations: 40, width: 8, batch: 16)
        XCTAssertEqual(try run([path, "--jobs", "2"], results: "straight").status, 0)
        var stream = RandomStream(seed: 11, name: "soak")
        var kills = 0
        while kills < 10 {
            let process = Process()
            process.executableURL = CommandRunner.executable
            process.arguments = ["run", path, "--jobs", "2", "--results", folder.appendingPathComponent("killed").path,
                                 "--weights", folder.appendingPathComponent("weights").path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(200_000 + stream.integer(in: 0...1_800_000)))
            guard process.isRunning else { process.waitUntilExit(); break }  // finished before this kill
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
        }
        let last = try run([path, "--jobs", "2"], results: "killed")
        XCTAssertEqual(last.status, 0, last.stdout + last.stderr)
        func metrics(_ results: String) throws -> [String: [MetricsLine]] {
            Dictionary(uniqueKeysWithValues: try runFolders("soak", results: results).map {
                ($0.lastPathComponent, RunDirectory($0).readMetrics().map(\.withoutTiming))
            })
        }
        XCTAssertEqual(try metrics("killed"), try metrics("straight"), "after \(kills) kills")
        let leftovers = FileManager.default.enumerator(atPath: folder.appendingPathComponent("killed").path)?
            .compactMap { $0 as? String }.filter { $0.contains(".tmp-") } ?? []
        XCTAssertEqual(leftovers, [], "a killed writer's temporary files are not in place of real ones; none survive a finished grid")
        print("RunnerTests: soak finished after \(kills) kills")
    }

    /// A corrupt checkpoint fails its run with a message saying what to do, the grid goes on, and
    /// --restart-corrupt sets it aside and trains the run from the start.
    func testACorruptCheckpointFailsItsRunAndTheGridGoesOn() throws {
        let path = try config("corrupt", iterations: 4)
        XCTAssertEqual(try run([path, "--jobs", "1"]).status, 0)
        let runs = try runFolders("corrupt")
        try FileManager.default.removeItem(atPath: runs[0].appendingPathComponent("result.json").path)
        try Data("garbage, not HDF5".utf8).write(to: runs[0].appendingPathComponent("checkpoint.h5"))
        let output = try run([path, "--jobs", "1"])
        XCTAssertEqual(output.status, 2, output.stdout + output.stderr)
        XCTAssertTrue(output.stdout.contains("checkpoint.h5 is corrupt") && output.stdout.contains("--restart-corrupt"), output.stdout)
        XCTAssertTrue(output.stdout.contains("0 finished, 1 already done") && output.stdout.contains("1 failed"), output.stdout)
        let restarted = try run([path, "--jobs", "1", "--restart-corrupt"])
        XCTAssertEqual(restarted.status, 0, restarted.stdout + restarted.stderr)
        XCTAssertEqual(RunDirectory(runs[0]).result?.status, "finished")
        XCTAssertTrue(FileManager.default.fileExists(atPath: runs[0].appendingPathComponent("checkpoint.h5.corrupt").path))
        let provenance = try XCTUnwrap(RunDirectory(runs[0]).read(Provenance.self, from: "provenance.json"))
        XCTAssertNil(provenance.earlierSessions, "a run restarted from the start keeps no earlier session")
    }

    /// Bad settings and names are errors that name the field, before anything is written.
    func testBadGridNamesAndSettingsAreRejected() throws {
        let results = folder.appendingPathComponent("results")
        for (name, text, expected) in [
            ("escape", #"{"name": "../../escaped"}"#, "name: \"../../escaped\" starts with '.'"),
            ("slash", #"{"name": "a/b"}"#, "contains characters other than"),
            ("empty", #"{"name": ""}"#, "name: \"\" is empty"),
            ("reserved", #"{"name": "runs"}"#, "is a folder of the results root itself"),
            ("long", "{\"name\": \"\(String(repeating: "x", count: 300))\"}", "has 300 characters (at most 100)"),
            ("policy", #"{"name": "p", "augment": {"strategy": "diffaugment", "policy": ""}}"#, "augment.policy: found \"\", but strategy diffaugment"),
            ("huge", #"{"name": "h", "training": {"learning_rate_d": 1e400}}"#, "training.learning_rate_d: found a number outside the range of a 64-bit float"),
        ] {
            let path = folder.appendingPathComponent("\(name).json").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let output = try run([path])
            XCTAssertEqual(output.status, 1, name)
            XCTAssertTrue(output.stderr.contains(expected), "\(name): \(output.stderr)")
        }
        let written = (try? FileManager.default.contentsOfDirectory(atPath: results.path)) ?? []
        XCTAssertTrue(written.isEmpty, "nothing written: \(written)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().appendingPathComponent("escaped").path))
    }

    /// evaluation.final_extractor scores the final and the best-FID generator with Inception-v3 when the run
    /// ends (FID and KID, no IS), beside FeatureNet's numbers; tables gain a column for it.
    func testFinalExtractorScoresTheFinalAndBestGenerators() throws {
        let real = Fixtures.repository.appendingPathComponent("weights/inception-v3-fid.h5")
        guard FileManager.default.fileExists(atPath: real.path) else {
            throw XCTSkip("the real Inception-v3 weights are not installed (scripts/install-inception-weights)")
        }
        try FileManager.default.copyItem(at: real, to: folder.appendingPathComponent("weights/inception-v3-fid.h5"))
        let path = try config("final", iterations: 8, grid: #"{"strategy": ["none"]}"#)
        let child = folder.appendingPathComponent("final-child.json").path
        try #"{"extends": "\#(path)", "name": "final", "evaluation": {"final_extractor": "inception", "reference_count": 40}}"#
            .write(toFile: child, atomically: true, encoding: .utf8)
        let output = try run([child])
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
        let result = try XCTUnwrap(RunDirectory(try runFolders("final")[0]).result)
        let scores = try XCTUnwrap(result.finalScores, "result.json holds the final extractor's scores")
        XCTAssertEqual(scores.metricProtocol.extractor, "inception-v3-fid")
        XCTAssertEqual(scores.metricProtocol.referenceCount, 40)
        XCTAssertEqual(scores.final.iteration, 8)
        XCTAssertTrue(scores.final.fid.isFinite && scores.final.fid > 0, "\(scores)")
        XCTAssertNotNil(scores.best)
        XCTAssertEqual(result.metricProtocol?.extractor, "featurenet-fashion-mnist", "tracking stays on FeatureNet")
        let table = try CommandRunner.run(["table", folder.appendingPathComponent("results/final").path])
        XCTAssertTrue(table.stdout.contains("Inception FID"), table.stdout)
    }

    /// evaluation.explain: the final generator's precision/recall, memorisation and leakage in result.json, a
    /// neighbours strip in the run folder, and table columns for them.
    func testExplainAddsPrecisionMemorisationAndLeakage() throws {
        let path = try config("explain", iterations: 4, extra: "", grid: #"{"strategy": ["none", "reals-only"]}"#)
        let child = folder.appendingPathComponent("explain-child.json").path
        try #"{"extends": "\#(path)", "name": "explain", "evaluation": {"explain": true}}"#.write(toFile: child, atomically: true, encoding: .utf8)
        let output = try run([child])
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
        for folder in try runFolders("explain") {
            let result = try XCTUnwrap(RunDirectory(folder).result)
            let explanations = try XCTUnwrap(result.explanations, "result.json explains the final generator")
            XCTAssertEqual(explanations.iteration, 4)
            for value in [explanations.precisionRecall.precision, explanations.precisionRecall.recall, explanations.memorisationFeatures.share,
                          explanations.memorisationPixels.share, explanations.leakageGenerated.cutout, explanations.leakageTraining.translation,
                          explanations.orientationGenerated?.turned ?? -1, explanations.orientationHeldOut?.mirrored ?? -1] {
                XCTAssertTrue((0...1).contains(value), "\(explanations)")
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("neighbours.png").path))
        }
        let table = try CommandRunner.run(["table", folder.appendingPathComponent("results/explain").path])
        XCTAssertTrue(table.stdout.contains("precision") && table.stdout.contains("memorised") && table.stdout.contains("cutout leak")
                      && table.stdout.contains("translation leak"), table.stdout)
        // After the fact: a grid run without explain gets the same numbers from its checkpoints.
        let later = try config("later", iterations: 4, grid: #"{"strategy": ["none", "reals-only"]}"#)
        XCTAssertEqual(try run([later]).status, 0)
        let explain = try CommandRunner.run(["explain", later, "--results", self.folder.appendingPathComponent("results").path,
                                             "--weights", self.folder.appendingPathComponent("weights").path])
        XCTAssertEqual(explain.status, 0, explain.stdout + explain.stderr)
        XCTAssertTrue(explain.stdout.hasPrefix("explained 2 run(s)"), explain.stdout)
        let explainedLater = try runFolders("later").compactMap { RunDirectory($0).result?.explanations }
        let explainedThen = try runFolders("explain").compactMap { RunDirectory($0).result?.explanations }
        XCTAssertEqual(explainedLater.map(\.precisionRecall).sorted { $0.precision < $1.precision },
                       explainedThen.map(\.precisionRecall).sorted { $0.precision < $1.precision },
                       "the same final generators give the same numbers")
    }

    func testInceptionExtractorWithoutItsWeightsFailsTheRunNamingTheFix() throws {
        let base = try config("incept", iterations: 2, grid: #"{"strategy": ["none"]}"#)
        let path = folder.appendingPathComponent("incept-child.json").path
        try #"{"extends": "\#(base)", "evaluation": {"extractor": "inception"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let output = try run([path])
        XCTAssertNotEqual(output.status, 0)
        let text = output.stdout + output.stderr
        XCTAssertTrue(text.contains("inception-v3-fid.h5") && text.contains("scripts/install-inception-weights"), text)
    }

    func testADivergingRunIsMarkedFailedAndTheGridGoesOn() throws {
        let path = try config("diverge", iterations: 8, grid: #"{"training.learning_rate_d": [2e-4, 1e30]}"#)
        let output = try run([path])
        XCTAssertEqual(output.status, 2, output.stdout + output.stderr)
        XCTAssertTrue(output.stdout.contains("1 finished") && output.stdout.contains("1 failed"), output.stdout)
        XCTAssertTrue(output.stdout.contains("FAILED") && output.stdout.contains("loss became"), output.stdout)
        let statuses = try runFolders("diverge").compactMap { RunDirectory($0).result?.status }.sorted()
        XCTAssertEqual(statuses, ["failed", "finished"])
        // `run` trains a failed run again, so the plan lists it as work left; one that diverges at once cannot be
        // estimated, and the plan says so and goes on.
        let plan = try run([path, "--dry-run"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("| failed, from the start |") && plan.stdout.contains("cannot estimate: G loss became")
                      && plan.stdout.contains("and 1 experiment(s) that cannot be estimated"), plan.stdout)
    }

    /// Locks are held by live holders only: a lock file left by a dead process, an empty one, or one naming an
    /// unrelated live process (our own pid, as after a container restart) does not block a run.
    func testLocks() throws {
        let path = folder.appendingPathComponent("lock").path
        let lock = try XCTUnwrap(RunLock.acquire(path))
        XCTAssertNil(RunLock.acquire(path), "a live holder keeps the lock")
        XCTAssertEqual(RunLock.holder(of: path), "process \(ProcessInfo.processInfo.processIdentifier) on host \(ProcessInfo.processInfo.hostName)")
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        for leftover in ["\(ProcessInfo.processInfo.hostName) 999999\n", "", "\(ProcessInfo.processInfo.hostName) \(ProcessInfo.processInfo.processIdentifier)\n", "garbage"] {
            try leftover.write(toFile: path, atomically: true, encoding: .utf8)
            let taken = RunLock.acquire(path)
            XCTAssertNotNil(taken, "a lock file nobody holds (\(leftover.debugDescription)) is taken over")
            taken?.release()
        }
        // A holder in another process that dies with SIGKILL releases the lock with it.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); time.sleep(30)", path]
        try holder.run()
        var blocked = false
        for _ in 0..<200 where !blocked {
            usleep(10_000)
            if let lock = RunLock.acquire(path) { lock.release() } else { blocked = true }
        }
        XCTAssertTrue(blocked, "a lock held by another process blocks")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        XCTAssertNotNil(RunLock.acquire(path), "the kernel dropped the dead holder's lock")
    }

    /// A busy run names its holder, unless the holder is another job of the same `run --jobs` (same parent):
    /// the parent is read from /proc, and outside a job pool no holder is a sibling.
    func testSiblingJobsAreRecognisedByTheirParent() throws {
        XCTAssertEqual(RunLock.parentPID(of: getpid()), getppid())
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["5"]
        try child.run()
        defer { child.terminate(); child.waitUntilExit() }
        XCTAssertEqual(RunLock.parentPID(of: child.processIdentifier), getpid())
        XCTAssertNil(RunLock.parentPID(of: 999_999_999))
        let path = folder.appendingPathComponent("lock").path
        try "\(ProcessInfo.processInfo.hostName) \(child.processIdentifier)\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertFalse(RunLock.heldBySiblingJob(path), "this test process is no job of a pool")
    }
}
