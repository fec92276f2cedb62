import Foundation
import Storage
import TensorCore
import TestSupport
import XCTest

/// Seeded fuzzing of the command line, bounded in time (AUGBENCH_FUZZ_SECONDS, default 60, but two cases of
/// each kind at least; AUGBENCH_FUZZ_SEED, default 1): configs with keys deleted, retyped, set to extreme
/// values or added, and feature files, PNG folders, IDX/gzip files, configs and checkpoints truncated or with
/// flipped bytes, each given to the CLI.
/// The invariant: exit 0, or exit 1 (2 for a grid with failed runs) with a message naming the file or the
/// field; never a trap or a signal, never a file written outside the case's results folder, never a
/// temporary file left behind. A failing case prints its seed: AUGBENCH_FUZZ_SEED=<seed> replays it first.
final class FuzzTests: XCTestCase {
    var work: URL!
    var weights: URL!

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (run scripts/setup)")
        }
        work = try temporaryFolder("augbench-fuzz")
        weights = work.appendingPathComponent("weights")
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        let committed = Fixtures.repository.appendingPathComponent("weights/featurenet-fashion-mnist.h5")
        try FileManager.default.copyItem(at: committed, to: weights.appendingPathComponent("featurenet-fashion-mnist.h5"))
    }

    override func tearDownWithError() throws { if let work { try? FileManager.default.removeItem(at: work) } }

    /// The tiny valid config every config mutation starts from.
    static let baseConfig: [String: Any] = [
        "name": "fuzz", "dataset": ["name": "fashion-mnist"], "subset": ["fraction": 0.001], "model": ["width": 4],
        "training": ["iterations": 2, "batch_size": 8, "checkpoint_every": 1],
        "augment": ["strategy": "diffaugment", "policy": "translation,cutout"],
        "evaluation": ["every": 2, "samples": 20, "is_splits": 2, "kid_subsets": 2, "kid_subset_size": 10,
                       "training_reals": 10, "held_out_reals": 10, "grid_images": 4, "reference_count": 50],
    ]

    struct Case {
        let seed: UInt64
        let description: String
        let arguments: [String]
        /// Texts of which the message of a failure must contain one (the file or the field).
        let names: [String]
        /// Exit statuses that are not failures of the invariant.
        var allowed: Set<Int32> = [0, 1]
    }

    func testTheCommandLineNeverTrapsOnBadInput() throws {
        let environment = ProcessInfo.processInfo.environment
        let budget = Double(environment["AUGBENCH_FUZZ_SECONDS"] ?? "") ?? 60
        let baseSeed = UInt64(environment["AUGBENCH_FUZZ_SEED"] ?? "") ?? 1
        let start = Date()
        var count = 0, failures: [String] = []
        let makers: [(UInt64, URL) throws -> Case] = [configCase, featureFileCase, idxCase, pngCase, configFileCase, checkpointCase]
        // Two cases of each kind at least, however slow the machine (a loaded one ran 6 within the budget).
        let minimumCases = 2 * makers.count
        while count < minimumCases || Date().timeIntervalSince(start) < budget {
            let seed = baseSeed &* 1_000_003 &+ UInt64(count)
            let folder = work.appendingPathComponent("case-\(count)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let fuzzCase = try makers[count % makers.count](seed, folder)
            if let failure = try check(fuzzCase, in: folder) {
                failures.append("seed \(seed) (\(fuzzCase.description)): \(failure)")
            }
            try? FileManager.default.removeItem(at: folder)
            count += 1
        }
        print("FuzzTests: \(count) cases in \(Int(Date().timeIntervalSince(start))) s from seed \(baseSeed), \(failures.count) failure(s)")
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    /// The checker itself fails a case that is killed, that exits with an unexpected status, or whose message
    /// names neither file nor field (so the fuzz test can fail).
    func testTheCheckerFlagsBrokenInvariants() throws {
        let killed = Case(seed: 0, description: "a long step", arguments: ["bench", "train-step", "--workload", "dcgan", "--iterations", "100000"], names: [])
        XCTAssertEqual(try check(killed, in: work, timeout: 1), "no answer within 1.0 s")
        let usage = Case(seed: 0, description: "usage", arguments: ["fid"], names: ["nothing"])
        XCTAssertTrue(try check(usage, in: work)?.hasPrefix("exit status 64") ?? false)
        var unnamed = Case(seed: 0, description: "unnamed", arguments: ["fid", "/nonexistent/a.h5", "/nonexistent/b.h5"], names: ["elsewhere.h5"])
        unnamed.allowed = [0, 1]
        XCTAssertTrue(try check(unnamed, in: work)?.hasPrefix("the message names none of") ?? false)
    }

    /// Runs the case and returns what broke the invariant, if anything.
    func check(_ fuzzCase: Case, in folder: URL, timeout: Double = 60) throws -> String? {
        let before = Set(try files(in: folder, excluding: "results"))
        let output = try CommandRunner.run(fuzzCase.arguments, timeout: timeout)
        if output.timedOut { return "no answer within \(timeout) s" }
        if output.signalled { return "killed by signal \(output.status)" }
        guard fuzzCase.allowed.contains(output.status) else { return "exit status \(output.status): \(output.stderr.suffix(300))" }
        let text = output.stdout + output.stderr
        if output.status != 0 && !fuzzCase.names.contains(where: text.contains) {
            return "the message names none of \(fuzzCase.names): \(text.suffix(300))"
        }
        if text.contains("Fatal error") || text.contains("runtime failure") { return "a trap's message: \(text.suffix(300))" }
        let after = Set(try files(in: folder, excluding: "results"))
        if !after.subtracting(before).isEmpty { return "wrote outside --results: \(after.subtracting(before).sorted())" }
        let leftovers = try files(in: folder, excluding: nil).filter { $0.contains(".tmp-") || $0.hasSuffix(".partial") }
        if !leftovers.isEmpty { return "temporary files left: \(leftovers)" }
        return nil
    }

    func files(in folder: URL, excluding top: String?) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { top == nil || !$0.hasPrefix(top! + "/") && $0 != top! }
    }

    func runArguments(_ config: String, _ folder: URL) -> [String] {
        ["run", config, "--results", folder.appendingPathComponent("results").path, "--weights", weights.path, "--progress", "plain", "--jobs", "1"]
    }

    // MARK: - Configs with mutated keys

    static let extremes: [Any] = [0, -1, 2_147_483_648, 9_007_199_254_740_993, 1e308, -1e308, 1e-300, "", String(repeating: "x", count: 300),
                                  true, NSNull(), [1, 2], ["a": 1]]

    func configCase(_ seed: UInt64, _ folder: URL) throws -> Case {
        var stream = RandomStream(seed: seed, name: "fuzz/config")
        var config = Self.baseConfig
        let paths = Self.leafPaths(config)
        let path = paths[stream.integer(in: 0...(paths.count - 1))]
        let kind = stream.integer(in: 0...3)
        let description: String
        switch kind {
        case 0:
            config = Self.setting(config, path, nil)
            description = "delete \(path.joined(separator: "."))"
        case 1, 2:
            let value = Self.extremes[stream.integer(in: 0...(Self.extremes.count - 1))]
            config = Self.setting(config, path, value)
            description = "\(path.joined(separator: ".")) = \(value)"
        default:
            let key = ["trainin", "evaluation.sample", "augment.strategy_", "model.depth"][stream.integer(in: 0...3)]
            config = Self.setting(config, key.split(separator: ".").map(String.init), 1)
            description = "unknown key \(key)"
        }
        let file = folder.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: file)
        var fuzzCase = Case(seed: seed, description: description, arguments: runArguments(file.path, folder),
                            names: [file.path, path.last ?? "", "trainin", "sample", "strategy_", "depth"])
        fuzzCase.allowed = [0, 1, 2]
        return fuzzCase
    }

    static func leafPaths(_ object: [String: Any], prefix: [String] = []) -> [[String]] {
        object.keys.sorted().flatMap { key -> [[String]] in
            if let child = object[key] as? [String: Any] { return leafPaths(child, prefix: prefix + [key]) }
            return [prefix + [key]]
        }
    }

    static func setting(_ object: [String: Any], _ path: [String], _ value: Any?) -> [String: Any] {
        var copy = object
        guard let first = path.first else { return copy }
        if path.count == 1 { copy[first] = value } else {
            copy[first] = setting(copy[first] as? [String: Any] ?? [:], Array(path.dropFirst()), value)
        }
        return copy
    }

    // MARK: - Corrupted files

    /// Truncates the file at a random point or flips a few random bytes.
    func corrupt(_ file: URL, _ stream: inout RandomStream) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: file))
        guard !bytes.isEmpty else { return "empty" }
        if stream.integer(in: 0...1) == 0 {
            let keep = stream.integer(in: 0...(bytes.count - 1))
            try Data(bytes.prefix(keep)).write(to: file)
            return "truncated to \(keep) of \(bytes.count) bytes"
        }
        var flipped: [Int] = []
        for _ in 0..<stream.integer(in: 1...8) {
            let index = stream.integer(in: 0...(bytes.count - 1))
            bytes[index] ^= UInt8(stream.integer(in: 1...255))
            flipped.append(index)
        }
        try Data(bytes).write(to: file)
        return "bytes \(flipped) flipped"
    }

    func featureFileCase(_ seed: UInt64, _ folder: URL) throws -> Case {
        var stream = RandomStream(seed: seed, name: "fuzz/features")
        let file = folder.appendingPathComponent("a.h5")
        let values = stream.uniforms(30 * 8)
        try AtomicFile.writeHDF5(to: file.path) { h5 in
            try h5.write(values, shape: [30, 8], at: "/features")
            try h5.setAttribute("extractor", "fuzz")
        }
        let how = try corrupt(file, &stream)
        let other = folder.appendingPathComponent("b.h5")
        try AtomicFile.writeHDF5(to: other.path) { h5 in try h5.write(stream.uniforms(30 * 8), shape: [30, 8], at: "/features") }
        let command = [["fid", file.path, other.path], ["kid", file.path, other.path, "--kid-subset-size", "10", "--kid-subsets", "2"],
                       ["is", file.path]][stream.integer(in: 0...2)]
        return Case(seed: seed, description: "feature file \(how), \(command[0])", arguments: command, names: [file.path])
    }

    func idxCase(_ seed: UInt64, _ folder: URL) throws -> Case {
        var stream = RandomStream(seed: seed, name: "fuzz/idx")
        let gzip = stream.integer(in: 0...1) == 1
        var images = [UInt8]([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28])
        images += (0..<(5 * 28 * 28)).map { UInt8($0 % 251) }
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 5, 0, 1, 2, 3, 4]
        let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
        for (name, bytes) in zip(names, [images, labels]) {
            let data = gzip ? try Self.gzipped(bytes) : Data(bytes)
            try data.write(to: folder.appendingPathComponent(name + (gzip ? ".gz" : "")))
        }
        let target = folder.appendingPathComponent(names[stream.integer(in: 0...1)] + (gzip ? ".gz" : ""))
        let how = try corrupt(target, &stream)
        return Case(seed: seed, description: "\(target.lastPathComponent) \(how)", arguments: ["data", "info", "--dataset", "mnist", "--path", folder.path],
                    names: [folder.path])
    }

    static func gzipped(_ bytes: [UInt8]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    func pngCase(_ seed: UInt64, _ folder: URL) throws -> Case {
        var stream = RandomStream(seed: seed, name: "fuzz/png")
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for index in 0..<3 {
            let pixels = (0..<(16 * 16)).map { UInt8(($0 * 7 + index * 31) % 256) }
            try PNGImage(width: 16, height: 16, channels: 1, pixels: pixels).write(to: images.appendingPathComponent("\(index).png").path)
        }
        let target = images.appendingPathComponent("\(stream.integer(in: 0...2)).png")
        let how = try corrupt(target, &stream)
        return Case(seed: seed, description: "\(target.lastPathComponent) \(how)",
                    arguments: ["data", "info", "--dataset", "folder", "--path", images.path], names: [images.path])
    }

    func configFileCase(_ seed: UInt64, _ folder: URL) throws -> Case {
        var stream = RandomStream(seed: seed, name: "fuzz/json")
        let file = folder.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: Self.baseConfig, options: [.sortedKeys]).write(to: file)
        let how = try corrupt(file, &stream)
        var fuzzCase = Case(seed: seed, description: "config.json \(how)", arguments: runArguments(file.path, folder), names: [file.path])
        fuzzCase.allowed = [0, 1, 2]
        return fuzzCase
    }

    /// A finished tiny run whose checkpoint is corrupted and result removed: the rerun resumes, restarts it,
    /// or fails that run naming the checkpoint.
    func checkpointCase(_ seed: UInt64, _ folder: URL) throws -> Case {
        var stream = RandomStream(seed: seed, name: "fuzz/checkpoint")
        let file = folder.appendingPathComponent("config.json")
        var config = Self.baseConfig
        config = Self.setting(config, ["training", "iterations"], 4)
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: file)
        let first = try CommandRunner.run(runArguments(file.path, folder))
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let store = folder.appendingPathComponent("results/runs")
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: store, includingPropertiesForKeys: nil).first)
        try FileManager.default.removeItem(at: run.appendingPathComponent("result.json"))
        let checkpoint = run.appendingPathComponent("checkpoint.h5")
        let how = try corrupt(checkpoint, &stream)
        var fuzzCase = Case(seed: seed, description: "checkpoint \(how)", arguments: runArguments(file.path, folder), names: [checkpoint.path])
        fuzzCase.allowed = [0, 2]
        return fuzzCase
    }
}
