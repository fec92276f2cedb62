import ArgumentParser
import Experiments
import Foundation

/// Resolves a config file (→ results/<name>/) or a results folder.
private func resultFolder(_ target: String, results: String) throws -> String {
    if target.hasSuffix(".json") { return results + "/" + (try ConfigLoader.load(target)).name }
    return target
}

struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "table",
        abstract: "Paper-style table of a grid's results (mean ± std over seeds, best and final FID, the paper's numbers beside).")
    @Argument(help: "A config file or a results folder (results/<grid>).") var target: String
    @Option(help: "md, csv or tex.") var format = "md"
    @Option(help: "Results folder (when a config is given).") var results = "results"

    func run() throws {
        guard let format = ResultsTable.Format(rawValue: format) else { throw ValidationError("--format must be md, csv or tex") }
        let set = try ResultSet.load(try resultFolder(target, results: results))
        print(ResultsTable.build(set).map { $0.render(format) }.joined(separator: "\n"), terminator: "")
    }
}

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baseline", abstract: "Stored baselines.", subcommands: [Save.self])

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store per-experiment metrics (mean, std, seeds, protocol) of a results folder.")
        @Argument(help: "A config file or a results folder.") var target: String
        @Argument(help: "Output JSON, e.g. results/baselines/quickstart.json.") var output: String
        @Option(help: "Results folder (when a config is given).") var results = "results"

        func run() throws {
            let set = try ResultSet.load(try resultFolder(target, results: results))
            let commit = set.runs.compactMap { RunDirectory(URL(fileURLWithPath: set.folder).appendingPathComponent($0.id)).read(Provenance.self, from: "provenance.json")?.gitCommit }.first ?? "unknown"
            let baseline = Baseline.make(from: set, gitCommit: commit)
            try baseline.write(to: output)
            print("wrote \(output): \(baseline.entries.count) experiment(s) from \(set.runs.count) run(s)")
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff",
        abstract: "Compare results with a stored baseline; exits 1 on any regression beyond max(--abs-tol, K·σ over seeds).")
    @Argument(help: "A config file or a results folder.") var target: String
    @Argument(help: "Baseline JSON (from `augbench baseline save`).") var baseline: String
    @Option(help: "Absolute tolerance.") var absTol = 0.0
    @Option(help: "K: differences within K standard deviations over seeds are noise.") var sigmas = 2.0
    @Option(help: "Results folder (when a config is given).") var results = "results"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let set = try ResultSet.load(try resultFolder(target, results: results))
        let diff = BaselineDiff.compare(set, to: try Baseline.read(baseline), absoluteTolerance: absTol, sigmas: sigmas)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(diff), as: UTF8.self))
        } else {
            print(diff.text)
        }
        if !diff.regressions.isEmpty { throw ExitCode(1) }
    }
}

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot",
        abstract: "PNG charts of a grid: FID over iterations, and D accuracy on training vs held-out reals (Figure 1).")
    @Argument(help: "A config file or a results folder.") var target: String
    @Option(help: "Results folder (when a config is given).") var results = "results"

    func run() throws {
        let paths = try Plots.write(try ResultSet.load(try resultFolder(target, results: results)))
        print("wrote " + paths.joined(separator: ", "))
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report",
        abstract: "One self-contained HTML page: tables, plots, sample grids, provenance and failures.")
    @Argument(help: "A config file or a results folder.") var target: String
    @Option(help: "Results folder (when a config is given).") var results = "results"

    func run() throws {
        print("wrote " + (try Report.write(try ResultSet.load(try resultFolder(target, results: results)))))
    }
}
