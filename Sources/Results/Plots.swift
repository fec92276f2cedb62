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

    /// Writes plots/fid.png and plots/d-accuracy.png under the grid folder; returns their paths.
    public static func write(_ set: ResultSet) throws -> [String] {
        let folder = set.folder + "/plots"
        let paths = [folder + "/fid.png", folder + "/d-accuracy.png"]
        try fid(set).render().write(to: paths[0])
        try discriminatorAccuracy(set).render().write(to: paths[1])
        return paths
    }
}
