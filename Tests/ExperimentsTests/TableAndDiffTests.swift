import Experiments
import Results
import Foundation
import Metrics
import TestSupport
import XCTest

final class TableAndDiffTests: XCTestCase {
    /// The results root: runs in root/runs/<id>, the grid's record in root/g.
    var folder: URL!
    var entries: [GridRecord.Run] = []
    var paper: JSONValue?
    var gridFolder: String { folder.appendingPathComponent("g").path }

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-table") }

    func line(_ fid: Double, iteration: Int = 100) -> MetricsLine {
        MetricsLine(iteration: iteration, fid: fid, isMean: 2, isStd: 0.1, kidMean: 0.1, kidStd: 0.01, dAccuracyTrain: 0.9,
                    dAccuracyHeldOut: 0.5, adaP: 0, lossD: 1, lossG: 1, seconds: 1)
    }

    func write(_ id: String, axes: [String: String], final: Double, best: Double, samples: Int = 100, status: String = "finished") throws {
        let directory = RunDirectory(RunStore.folder(resultsRoot: folder.path, id: id))
        let metricProtocol = MetricProtocol(extractor: "featurenet-test", extractorHash: "abc", sampleCount: samples,
                                            reference: "fashion-mnist:test", referenceCount: 10_000)
        try directory.write(RunResult(id: id, grid: "g", label: id, axes: axes, status: status, reason: status == "failed" ? "D loss became nan" : nil,
                                      iterations: 100, final: line(final), best: line(best, iteration: 50), metricProtocol: metricProtocol,
                                      datasetFingerprint: "fp", subsetIdentity: "s", seconds: 1), to: "result.json")
        entries.removeAll { $0.id == id }
        entries.append(GridRecord.Run(id: id, label: id, axes: axes))
        try grid(paper: paper)
    }

    func grid(paper: JSONValue? = nil) throws {
        self.paper = paper
        try RunDirectory(URL(fileURLWithPath: gridFolder)).write(GridRecord(name: "g", configPath: "g.json", axes: ["strategy", "fraction", "seed"],
                                                                            paper: paper, runs: entries), to: "grid.json")
    }

    func testSeedsAggregateAndPaperNumbersSitBeside() throws {
        try grid(paper: .object(["rows": .string("strategy"), "columns": .string("fraction"),
                                 "reported": .object(["none": .object(["0.1": .number(39.78)])])]))
        try write("a", axes: ["strategy": "none", "fraction": "0.1", "seed": "0"], final: 40, best: 30)
        try write("b", axes: ["strategy": "none", "fraction": "0.1", "seed": "1"], final: 44, best: 34)
        try write("c", axes: ["strategy": "diffaugment", "fraction": "0.1", "seed": "0"], final: 20, best: 18)
        try write("d", axes: ["strategy": "diffaugment", "fraction": "0.1", "seed": "1"], final: .nan, best: .nan, status: "failed")
        let tables = ResultsTable.build(try ResultSet.load(gridFolder))
        XCTAssertEqual(tables.count, 1)
        let markdown = tables[0].render(.md)
        XCTAssertTrue(markdown.contains("| none | 32.00 ± 2.83 (n=2) | 42.00 ± 2.83 | 0.1000 ± 0.0000 | 39.78 |"), markdown)
        XCTAssertTrue(markdown.contains("| diffaugment | 18.00 [1 failed] | 20.00 | 0.1000 |  |"), markdown)
        XCTAssertTrue(tables[0].render(.tex).contains("\\begin{tabular}"))
        let long = tables[0].render(.md, layout: .long)
        XCTAssertTrue(long.contains("| fraction | strategy | best FID | final FID | final KID | paper |"), long)
        XCTAssertTrue(long.contains("| 0.1 | none | 32.00 ± 2.83 (n=2) | 42.00 ± 2.83 | 0.1000 ± 0.0000 | 39.78 |"), long)
        XCTAssertEqual(tables[0].rows, ["none", "diffaugment"], "rows follow the config's order, not the alphabet")
        XCTAssertTrue(tables[0].render(.csv).contains("none,0.1,32.0,2.8284271247461903,42.0,2.8284271247461903,2,0,39.78"), tables[0].render(.csv))
    }

    /// Figure 1's signal in the table: D's training − held-out accuracy averaged over each run's last five
    /// evaluations (earlier ones ignored), mean ± std over seeds; and the runs' wall time under the table.
    func testTableShowsTheDiscriminatorGapAndWallTime() throws {
        try grid()
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 44, best: 34)
        func evaluations(_ lateGap: Double) -> [MetricsLine] {
            (1...7).map { i in
                var l = line(1, iteration: i * 100)
                (l.dAccuracyTrain, l.dAccuracyHeldOut) = i <= 2 ? (0.5, 0.5) : (0.5 + lateGap, 0.5)
                return l
            }
        }
        try RunDirectory(RunStore.folder(resultsRoot: folder.path, id: "a")).writeMetrics(evaluations(0.2))
        try RunDirectory(RunStore.folder(resultsRoot: folder.path, id: "b")).writeMetrics(evaluations(0.4))
        let table = ResultsTable.build(try ResultSet.load(gridFolder))[0]
        let markdown = table.render(.md)
        XCTAssertTrue(markdown.contains("D acc. train − held-out, last 5 evals |"), markdown)
        XCTAssertTrue(markdown.contains("| 0.30 ± 0.14 |"), markdown)
        XCTAssertTrue(markdown.contains("Training wall time: 2 finished run(s), 0m02s in all, 0m01s–0m01s each."), markdown)
        XCTAssertEqual(DiscriminatorGap.late([]), nil)
    }

    /// provenance.json reads back: a record written before executables were fingerprinted (its "open_blas"
    /// key once made every provenance unreadable, so baselines said commit "unknown"), and a resumed run's
    /// record with its earlier session.
    func testProvenanceRecordsReadBack() throws {
        let directory = RunDirectory(URL(fileURLWithPath: Fixtures.path("provenance")))
        let old = try XCTUnwrap(directory.read(Provenance.self, from: "provenance-93aaae1.json"))
        XCTAssertEqual(old.gitCommit, "93aaae1088a6c33d9400f0e1a5a6c1c6773da593")
        XCTAssertEqual(old.openBLAS, "0.3.21")
        XCTAssertNil(old.executable)
        var later = old
        later.started = "2026-12-02T00:00:00Z"
        later.executable = "0123456789abcdef0123456789abcdef"
        var third = later
        third.started = "2026-12-03T00:00:00Z"
        let resumed = third.resuming(later.resuming(old))
        let scratch = RunDirectory(folder)
        try scratch.write(resumed, to: "provenance.json")
        let read = try XCTUnwrap(scratch.read(Provenance.self, from: "provenance.json"))
        XCTAssertEqual(read.earlierSessions?.map(\.started), ["2026-12-01T21:54:20Z", "2026-12-02T00:00:00Z"])
        XCTAssertEqual(read.openBLAS, "0.3.21")
        XCTAssertEqual(read.executable, "0123456789abcdef0123456789abcdef")
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30)
        try scratch.write(old, to: "runs/a/provenance.json")
        XCTAssertEqual(try ResultSet.load(gridFolder).gitCommit, old.gitCommit, "a baseline records the runs' commit")
    }

    /// Welch's t between two cells over seeds, against hand-computed values; nil without two seeds a side.
    func testComparisonsGiveWelchsT() throws {
        let c = try XCTUnwrap(SeedComparison(Summary([0.77, 0.60, 0.78]), minus: Summary([0.70, 0.71, 0.66])))
        // means 0.716667 and 0.69; variances of the means 0.010233/3 and 0.0007/3.
        XCTAssertEqual(c.difference, 0.026667, accuracy: 1e-5)
        XCTAssertEqual(c.t, 0.026667 / ((0.0102333 + 0.0007) / 3).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(c.degreesOfFreedom, 2.27, accuracy: 0.01)
        XCTAssertNil(SeedComparison(Summary([1]), minus: Summary([1, 2])))
        try grid()
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 44, best: 34)
        try write("c", axes: ["strategy": "diffaugment", "seed": "0"], final: 20, best: 18)
        try write("d", axes: ["strategy": "diffaugment", "seed": "1"], final: 22, best: 19)
        // none: best 32 ± 2.83, final 42 ± 2.83; diffaugment: best 18.5 ± 0.71, final 21 ± 1.41 (two seeds each).
        let lines = ResultsTable.build(try ResultSet.load(gridFolder))[0].comparisons(to: "none")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("fraction=FID, diffaugment − none: best FID -13.50 (t = -6.5, ν = 1.1); final FID -21.00 (t = -9.4, ν = 1.5)"), lines[0])
    }

    /// Table 1's layout: the baseline sits under one policy only (it augments nothing), so another policy's
    /// rows are compared with that cell, and the line names it; with the baseline in two columns, a column
    /// without one is left out rather than guessed.
    func testAColumnWithoutTheReferenceIsComparedWithTheOnlyReferenceCell() throws {
        try grid(paper: .object(["rows": .string("strategy"), "columns": .string("fraction")]))
        try write("a", axes: ["strategy": "none", "fraction": "0.1", "seed": "0"], final: 40, best: 30)
        try write("b", axes: ["strategy": "none", "fraction": "0.1", "seed": "1"], final: 44, best: 34)
        try write("c", axes: ["strategy": "diffaugment", "fraction": "0.5", "seed": "0"], final: 20, best: 18)
        try write("d", axes: ["strategy": "diffaugment", "fraction": "0.5", "seed": "1"], final: 22, best: 19)
        var lines = ResultsTable.build(try ResultSet.load(gridFolder))[0].comparisons(to: "none")
        XCTAssertEqual(lines, ["fraction=0.5, diffaugment − none (fraction=0.1, the only none cell): best FID -13.50 (t = -6.5, ν = 1.1); "
                               + "final FID -21.00 (t = -9.4, ν = 1.5)"])
        try write("e", axes: ["strategy": "none", "fraction": "0.2", "seed": "0"], final: 41, best: 31)
        try write("f", axes: ["strategy": "none", "fraction": "0.2", "seed": "1"], final: 43, best: 33)
        lines = ResultsTable.build(try ResultSet.load(gridFolder))[0].comparisons(to: "none")
        XCTAssertEqual(lines, [], "two none cells: which one a third column would be measured against is not known")
    }

    /// The report's Figure 1: one D-accuracy panel per data fraction, each with only its fraction's experiments
    /// (training and held-out lines); a grid of one fraction gets one chart with all of them.
    func testFigureOnePanelPerFraction() throws {
        try grid()
        for (id, strategy, fraction) in [("a", "none", "0.01"), ("b", "diffaugment", "0.01"), ("c", "none", "0.1"), ("d", "diffaugment", "0.1")] {
            try write(id, axes: ["strategy": strategy, "fraction": fraction, "seed": "0"], final: 1, best: 1)
        }
        let panels = Plots.discriminatorAccuracyPanels(try ResultSet.load(gridFolder))
        XCTAssertEqual(panels.map(\.title), ["D accuracy on reals: training (solid) vs held-out (dashed), fraction 0.01",
                                             "D accuracy on reals: training (solid) vs held-out (dashed), fraction 0.1"])
        for (panel, fraction) in zip(panels, ["0.01", "0.1"]) {
            XCTAssertEqual(panel.series.count, 4)
            XCTAssertTrue(panel.series.allSatisfy { $0.label.contains("fraction=\(fraction),") }, "\(panel.series.map(\.label))")
        }
        entries.removeAll { $0.axes["fraction"] == "0.1" }
        try grid()
        XCTAssertEqual(Plots.discriminatorAccuracyPanels(try ResultSet.load(gridFolder)).map(\.series.count), [4])
    }

    func testDifferentProtocolsNeverShareATable() throws {
        try grid()
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30, samples: 100)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 44, best: 34, samples: 5000)
        let tables = ResultsTable.build(try ResultSet.load(gridFolder))
        XCTAssertEqual(tables.count, 2)
        XCTAssertNotEqual(tables[0].protocolText, tables[1].protocolText)
    }

    func testDiffFlagsBeyondToleranceOnly() throws {
        try grid()
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 44, best: 34)
        let baseline = Baseline.make(from: try ResultSet.load(gridFolder), gitCommit: "x")
        // s = 2.83 over two seeds each, standard error s·√(1/2 + 1/2) = 2.83; with K = 1: FID +2 is noise,
        // +5 a regression, −5 an improvement.
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 42, best: 32)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 46, best: 36)
        var diff = BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 0, sigmas: 1)
        XCTAssertTrue(diff.regressions.isEmpty && diff.passed, diff.text)
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 45, best: 25)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 49, best: 29)
        try write("c", axes: ["strategy": "diffaugment", "seed": "0"], final: 1, best: 1)
        diff = BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 0, sigmas: 1)
        XCTAssertEqual(diff.regressions.map(\.metric), ["fid_final"])
        XCTAssertFalse(diff.passed)
        XCTAssertEqual(diff.rows.first { $0.metric == "fid_best" }?.verdict, "improvement")
        XCTAssertEqual(diff.extra, ["strategy=diffaugment"])
        XCTAssertTrue(diff.text.hasPrefix("REGRESSION strategy=none fid_final: 42 → 47"), diff.text)
        // A large absolute tolerance absorbs it.
        XCTAssertTrue(BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 10, sigmas: 1).passed)
    }

    /// A diff that could not compare what the baseline holds fails: missing, failed, unreadable and
    /// not-comparable experiments, and comparing nothing at all.
    func testDiffFailsWhenItCouldNotCompare() throws {
        try grid()
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30)
        try write("b", axes: ["strategy": "diffaugment", "seed": "0"], final: 20, best: 18)
        let baseline = Baseline.make(from: try ResultSet.load(gridFolder), gitCommit: "x")
        func diff(allowMissing: Bool = false) throws -> BaselineDiff {
            BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 0, sigmas: 3, allowMissing: allowMissing)
        }
        let clean = try diff()
        XCTAssertTrue(clean.passed, clean.text)

        try write("b", axes: ["strategy": "diffaugment", "seed": "0"], final: .nan, best: .nan, status: "failed")
        let failed = try diff()
        XCTAssertEqual(failed.failed.count, 1)
        XCTAssertTrue(failed.missing == ["strategy=diffaugment"] && !failed.passed, failed.text)
        XCTAssertTrue(failed.text.contains("FAILED RUN strategy=diffaugment (b): D loss became nan"), failed.text)
        XCTAssertFalse(try diff(allowMissing: true).passed, "a failed run fails even when missing results are allowed")

        try FileManager.default.removeItem(at: RunStore.folder(resultsRoot: folder.path, id: "b"))
        XCTAssertFalse(try diff().passed)
        let allowed = try diff(allowMissing: true)
        XCTAssertTrue(allowed.passed, allowed.text)

        try Data("{\"id\": 3".utf8).write(to: RunStore.folder(resultsRoot: folder.path, id: "a").appendingPathComponent("result.json"))
        let unreadable = try diff(allowMissing: true)
        XCTAssertEqual(unreadable.unreadable.count, 1, unreadable.text)
        XCTAssertFalse(unreadable.passed)
        XCTAssertTrue(unreadable.text.contains("nothing was compared"), unreadable.text)

        try write("a", axes: ["strategy": "none", "seed": "0"], final: 40, best: 30, samples: 5000)
        let changed = try diff(allowMissing: true)
        XCTAssertEqual(changed.protocolChanges.count, 1)
        XCTAssertFalse(changed.passed, changed.text)
    }
}
