import ArgumentParser
import Experiments
import Foundation

/// The grid a result command reads: a config file (→ <results>/<name>/) or a results folder.
struct ResultSource: ParsableArguments {
    @Argument(help: "A config file or a results folder (results/<grid>).") var target: String
    @Option(help: "Results folder (when a config is given).") var results = "results"

    func load() throws -> ResultSet {
        let folder = target.hasSuffix(".json") ? results + "/" + (try ConfigLoader.load(target)).name : target
        return try ResultSet.load(folder)
    }
}

struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "table",
        abstract: "Paper-style table of a grid's results (mean ± std over seeds, best and final FID, the paper's numbers beside).")
    @OptionGroup var source: ResultSource
    @Option(help: "md, csv or tex.") var format = "md"

    func run() throws {
        guard let format = ResultsTable.Format(rawValue: format) else { throw ValidationError("--format must be md, csv or tex") }
        let set = try source.load()
        print(ResultsTable.build(set).map { $0.render(format) }.joined(separator: "\n"), terminator: "")
    }
}

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baseline", abstract: "Stored baselines.", subcommands: [Save.self])

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store per-experiment metrics (mean, std, seeds, protocol) of a results folder.")
        @OptionGroup var source: ResultSource
        @Argument(help: "Output JSON, e.g. results/baselines/quickstart.json.") var output: String

        func run() throws {
            let set = try source.load()
            let commit = set.runs.compactMap { set.directory(for: $0.id).read(Provenance.self, from: "provenance.json")?.gitCommit }.first ?? "unknown"
            let baseline = Baseline.make(from: set, gitCommit: commit)
            try baseline.write(to: output)
            print("wrote \(output): \(baseline.entries.count) experiment(s) from \(set.runs.count) run(s)")
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff",
        abstract: "Compare results with a stored baseline; exits 1 on any regression beyond max(--abs-tol, K·σ over seeds).")
    @OptionGroup var source: ResultSource
    @Argument(help: "Baseline JSON (from `augbench baseline save`).") var baseline: String
    @Option(help: "Absolute tolerance.") var absTol = 0.0
    @Option(help: "K: differences within K standard deviations over seeds are noise.") var sigmas = 2.0
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let set = try source.load()
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
    @OptionGroup var source: ResultSource

    func run() throws {
        let paths = try Plots.write(try source.load())
        print("wrote " + paths.joined(separator: ", "))
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report",
        abstract: "One self-contained HTML page: tables, plots, sample grids, provenance and failures.")
    @OptionGroup var source: ResultSource

    func run() throws {
        print("wrote " + (try Report.write(try source.load())))
    }
}
