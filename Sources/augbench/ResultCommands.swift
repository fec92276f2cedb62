import ArgumentParser
import Experiments
import Results
import Storage
import Foundation

/// The grid a result command reads: a config file (→ <results>/<name>/) or a results folder.
struct ResultSource: ParsableArguments {
    @Argument(help: "A config file or a results folder (results/<grid>).") var target: String
    @Option(help: "Results folder (when a config is given).") var results = "results"

    /// The grid's results; unreadable result files and experiments not yet run are listed on stderr. A config
    /// is expanded anew (its grid record rewritten), so a grid made only of runs other grids trained reads too.
    func load() throws -> ResultSet {
        var folder = target
        if target.hasSuffix(".json") {
            let file = try ConfigLoader.load(target)
            var options = RunOptions()
            options.resultsFolder = results
            try GridRunner(file: file, options: options).writeGridRecord()
            folder = results + "/" + file.name
        }
        let set = try ResultSet.load(folder)
        for (path, reason) in set.unreadable { FileHandle.standardError.write(Data("unreadable: \(path): \(reason)\n".utf8)) }
        if !set.missing.isEmpty {
            FileHandle.standardError.write(Data("not run yet: \(set.missing.count) of \(set.missing.count + set.runs.count + set.unreadable.count) experiment(s) (\(set.missing.prefix(3).map(\.label).joined(separator: "; "))\(set.missing.count > 3 ? "; …" : ""))\n".utf8))
        }
        return set
    }

    /// The results, or an error when nothing can be read at all.
    func loadSome() throws -> ResultSet {
        let set = try load()
        guard !set.runs.isEmpty else { throw ValidationError("\(set.folder): no run of this grid has a result yet (augbench run CONFIG)") }
        return set
    }
}

struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "table",
        abstract: "Paper-style table of a grid's results (mean ± std over seeds, best and final FID, the paper's numbers beside).")
    @OptionGroup var source: ResultSource
    @Option(help: "md, csv or tex.") var format = "md"
    @Option(help: "wide (one row per row value, a group of columns per column value: the paper's layout) or long (one row per column and row value; for md and tex).")
    var layout = "wide"
    @Option(name: .customLong("compare-to"),
            help: "A row (e.g. none): under each table, every other row's difference from it in best/final FID, KID and D's gap, with Welch's t over seeds and its degrees of freedom (md only); a column without that row is compared with the only column that has it, and says so.")
    var compareTo: String?

    func run() throws {
        guard let format = ResultsTable.Format(rawValue: format) else { throw ValidationError("--format must be md, csv or tex") }
        guard let layout = ResultsTable.Layout(rawValue: layout) else { throw ValidationError("--layout must be wide or long") }
        let set = try source.loadSome()
        let built = ResultsTable.build(set)
        if let compareTo, !built.contains(where: { $0.rows.contains(compareTo) }) {
            let rows = Array(Set(built.flatMap(\.rows))).sorted().joined(separator: ", ")
            throw ValidationError("--compare-to \(compareTo): no such row in \(set.folder) (its rows: \(rows))")
        }
        let tables = built.map { table -> String in
            let text = table.render(format, layout: layout)
            guard let compareTo, format == .md, table.rows.contains(compareTo) else { return text }
            let lines = table.comparisons(to: compareTo)
            return text + (lines.isEmpty ? "" : "\nAgainst \(compareTo) (Welch's t over seeds; |t| > 4.30 at ν = 2, 2.78 at ν = 4 for p < 0.05):\n\n"
                                           + lines.map { "- " + $0 }.joined(separator: "\n") + "\n")
        }
        print(tables.joined(separator: "\n"), terminator: "")
        if !set.unreadable.isEmpty { throw ExitCode(1) }
    }
}

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baseline", abstract: "Stored baselines.", subcommands: [Save.self])

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store per-experiment metrics (mean, std, seeds, protocol) of a results folder.")
        @OptionGroup var source: ResultSource
        @Argument(help: "Output JSON, e.g. results/baselines/quickstart.json.") var output: String
        @Flag(help: "Store a baseline although some experiments of the grid have no result yet.") var allowMissing = false

        func run() throws {
            let set = try source.loadSome()
            if !set.unreadable.isEmpty { throw ValidationError("\(set.unreadable.count) result file(s) cannot be read (listed above); fix or remove them first") }
            if !set.missing.isEmpty && !allowMissing {
                throw ValidationError("\(set.missing.count) experiment(s) of the grid have no result yet; run them, or pass --allow-missing")
            }
            let baseline = Baseline.make(from: set, gitCommit: set.gitCommit)
            try baseline.write(to: output)
            print("wrote \(output): \(baseline.entries.count) experiment(s) from \(set.runs.count) run(s)")
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff",
        abstract: "Compare results with a stored baseline; exits 1 on a regression beyond max(--abs-tol, K·s·√(1/n_baseline + 1/n_results)) (s: sample std over seeds), or when an experiment is missing, failed, unreadable or measured under another protocol.")
    @OptionGroup var source: ResultSource
    @Argument(help: "Baseline JSON (from `augbench baseline save`).") var baseline: String
    @Option(help: "Absolute tolerance.") var absTol = 0.0
    @Option(help: "K: differences within K standard errors (from the spread over seeds) are noise.") var sigmas = 3.0
    @Flag(help: "Baseline experiments without results are reported but do not fail the check.") var allowMissing = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let set = try source.load()
        let diff = BaselineDiff.compare(set, to: try Baseline.read(baseline), absoluteTolerance: absTol, sigmas: sigmas, allowMissing: allowMissing)
        if json {
            print(String(decoding: try JSONCoding.encoder().encode(diff), as: UTF8.self))
        } else {
            print(diff.text)
        }
        if !diff.passed { throw ExitCode(1) }
    }
}

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot",
        abstract: "PNG charts of a grid: FID over iterations, and D accuracy on training vs held-out reals (Figure 1).")
    @OptionGroup var source: ResultSource

    func run() throws {
        let paths = try Plots.write(try source.loadSome())
        print("wrote " + paths.joined(separator: ", "))
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report",
        abstract: "One self-contained HTML page: tables, plots, sample grids, provenance and failures.")
    @OptionGroup var source: ResultSource

    func run() throws {
        print("wrote " + (try Report.write(try source.loadSome())))
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain",
        abstract: "Add precision/recall, memorisation and leakage (as evaluation.explain computes them) to a grid's finished runs that lack them, from their latest checkpoints.")
    @Argument(help: "Config file.") var config: String
    @Option(help: "Results folder.") var results = "results"
    @Option(help: "Folder of FeatureNet weights.") var weights = "weights"
    @Flag(help: "Also recompute the explanations of runs that have them (after the explanation metrics changed).") var replace = false

    func run() throws {
        var options = RunOptions()
        options.resultsFolder = results
        options.weightsFolder = weights
        let file = try ConfigLoader.load(config)
        let outcome = try GridRunner(file: file, options: options).explainFinishedRuns(replacing: replace)
        print("explained \(outcome.explained.count) run(s)" + (outcome.explained.isEmpty ? "" : ": " + outcome.explained.joined(separator: ", ")))
        for (id, reason) in outcome.skipped { print("  skipped \(id): \(reason)") }
    }
}
