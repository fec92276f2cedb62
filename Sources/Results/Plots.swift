import Foundation
import Storage

/// Charts of a grid: FID over iterations per run, and D's accuracy on training vs held-out reals (Figure 1).
public enum Plots {
    public static func metricLines(_ set: ResultSet) -> [(RunResult, [MetricsLine])] {
        set.runs.map { ($0, set.directory(for: $0.id).readMetrics()) }
    }

    static func name(_ run: RunResult) -> String { run.axes.isEmpty ? run.id : run.axes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }

    public static func fid(_ set: ResultSet) -> LineChart {
        LineChart(title: "FID over training (\(set.grid?.name ?? "grid"))", xLabel: "iteration", yLabel: "FID",
                  series: metricLines(set).map { run, lines in
                      LineChart.Series(label: name(run), points: lines.map { (Double($0.iteration), $0.fid) })
                  })
    }

    public static func discriminatorAccuracy(_ set: ResultSet) -> LineChart {
        LineChart(title: "D accuracy on reals: training (solid) vs held-out (dashed)", xLabel: "iteration", yLabel: "share of reals D scores > 0",
                  series: metricLines(set).flatMap { run, lines in
                      [LineChart.Series(label: name(run) + " train", points: lines.map { (Double($0.iteration), $0.dAccuracyTrain) }),
                       LineChart.Series(label: name(run) + " held-out", points: lines.map { (Double($0.iteration), $0.dAccuracyHeldOut) }, dashed: true)]
                  })
    }

    // MARK: - SVG, aggregated over seeds

    /// Per experiment (runs differing only in the seed), mean ± std over seeds of a metric at each iteration
    /// that every seed evaluated.
    /// `only` keeps the experiments whose runs it accepts (one fraction's, for a Figure 1 panel).
    static func seedCurves(_ set: ResultSet, only: (RunResult) -> Bool = { _ in true },
                           _ value: (MetricsLine) -> Double) -> [(label: String, points: [SVGChart.Point])] {
        let lines = Dictionary(uniqueKeysWithValues: metricLines(set).map { ($0.0.id, $0.1) })
        return set.experiments.filter { $0.runs.allSatisfy(only) }.map { key, runs in
            let perRun = runs.map { run in Dictionary((lines[run.id] ?? []).map { ($0.iteration, value($0)) }) { a, _ in a } }
            let iterations = Set(perRun.flatMap(\.keys)).filter { iteration in perRun.allSatisfy { $0[iteration] != nil } }.sorted()
            let points = iterations.map { iteration -> SVGChart.Point in
                let summary = Summary(perRun.compactMap { $0[iteration] })
                return SVGChart.Point(x: Double(iteration), mean: summary.mean, std: summary.std, count: summary.count)
            }
            let seeds = runs.count > 1 ? " (\(runs.count) seeds)" : ""
            return ((key.isEmpty ? runs[0].label : key) + seeds, points)
        }
    }

    public static func fidSVG(_ set: ResultSet) -> SVGChart {
        SVGChart(title: "FID over training (\(set.grid?.name ?? "grid")), mean ± std over seeds", xLabel: "iteration", yLabel: "FID",
                 series: seedCurves(set, \.fid).enumerated().map { SVGChart.Series(label: $1.label, points: $1.points, colour: $0) })
    }

    /// Figure 1: D's accuracy on training reals (solid) and held-out reals (dashed), one colour per experiment
    /// (those `only` accepts; `subtitle` names them).
    public static func discriminatorAccuracySVG(_ set: ResultSet, only: (RunResult) -> Bool = { _ in true },
                                                subtitle: String = "") -> SVGChart {
        let train = seedCurves(set, only: only, \.dAccuracyTrain), heldOut = seedCurves(set, only: only, \.dAccuracyHeldOut)
        return SVGChart(title: "D accuracy on reals: training (solid) vs held-out (dashed)\(subtitle)", xLabel: "iteration",
                        yLabel: "share of reals D scores > 0",
                        series: zip(train, heldOut).enumerated().flatMap { index, pair in
                            [SVGChart.Series(label: pair.0.label + " train", points: pair.0.points, colour: index),
                             SVGChart.Series(label: pair.1.label + " held-out", points: pair.1.points, dashed: true, colour: index)]
                        })
    }

    /// Figure 1 as the paper draws it, one panel per data fraction when the grid has several (a grid without
    /// a `fraction` axis, or with one value, gets the one chart of `discriminatorAccuracySVG`).
    public static func discriminatorAccuracyPanels(_ set: ResultSet) -> [SVGChart] {
        let fractions = Set(set.runs.compactMap { $0.axes["fraction"] })
        guard fractions.count > 1 else { return [discriminatorAccuracySVG(set)] }
        return fractions.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }.map { fraction in
            discriminatorAccuracySVG(set, only: { $0.axes["fraction"] == fraction }, subtitle: ", fraction \(fraction)")
        }
    }

    /// Writes plots/fid.svg and plots/d-accuracy.svg (over seeds), and the per-run PNGs fid.png and
    /// d-accuracy.png, under the grid folder; returns their paths.
    public static func write(_ set: ResultSet) throws -> [String] {
        let folder = set.folder + "/plots"
        let paths = [folder + "/fid.svg", folder + "/d-accuracy.svg", folder + "/fid.png", folder + "/d-accuracy.png"]
        try AtomicFile.write(Data(fidSVG(set).render().utf8), to: paths[0])
        try AtomicFile.write(Data(discriminatorAccuracySVG(set).render().utf8), to: paths[1])
        try fid(set).render().write(to: paths[2])
        try discriminatorAccuracy(set).render().write(to: paths[3])
        return paths
    }
}
