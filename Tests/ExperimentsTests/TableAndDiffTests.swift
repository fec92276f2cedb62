import Experiments
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
        XCTAssertTrue(markdown.contains("| none | 32.00 ± 2.00 (n=2) | 42.00 ± 2.00 | 39.78 |"), markdown)
        XCTAssertTrue(markdown.contains("| diffaugment | 18.00 [1 failed] | 20.00 |  |"), markdown)
        XCTAssertTrue(tables[0].render(.tex).contains("\\begin{tabular}"))
        XCTAssertTrue(tables[0].render(.csv).contains("none,0.1,32.0,2.0,42.0,2.0,2,0,39.78"), tables[0].render(.csv))
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
        // Within 2σ (σ = 2): FID +3 is noise. Beyond it: +5 is a regression, −5 an improvement.
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 43, best: 33)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 47, best: 37)
        var diff = BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 0, sigmas: 2)
        XCTAssertTrue(diff.regressions.isEmpty, diff.text)
        try write("a", axes: ["strategy": "none", "seed": "0"], final: 45, best: 25)
        try write("b", axes: ["strategy": "none", "seed": "1"], final: 49, best: 29)
        try write("c", axes: ["strategy": "diffaugment", "seed": "0"], final: 1, best: 1)
        diff = BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 0, sigmas: 2)
        XCTAssertEqual(diff.regressions.map(\.metric), ["fid_final"])
        XCTAssertEqual(diff.rows.first { $0.metric == "fid_best" }?.verdict, "improvement")
        XCTAssertEqual(diff.extra, ["strategy=diffaugment"])
        XCTAssertTrue(diff.text.hasPrefix("REGRESSION strategy=none fid_final: 42 → 47"), diff.text)
        // A large absolute tolerance absorbs it.
        XCTAssertTrue(BaselineDiff.compare(try ResultSet.load(gridFolder), to: baseline, absoluteTolerance: 10, sigmas: 2).regressions.isEmpty)
    }
}
