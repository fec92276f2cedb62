import Foundation
import Storage
import Metrics

/// Stored per-experiment metrics of a grid (results/baselines/*.json): for each experiment (axes without
/// the seed), each metric's mean, std and per-seed values, with the protocol and provenance they came from.
public struct Baseline: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var experiment: String
        public var seeds: [String]
        public var metrics: [String: Summary]
        public var metricProtocol: MetricProtocol?
        public var runIds: [String]
    }

    public var grid: String
    public var created: String
    public var gitCommit: String
    public var entries: [Entry]

    public static func make(from set: ResultSet, gitCommit: String) -> Baseline {
        let entries = set.experiments.map { key, runs in
            Entry(experiment: key, seeds: runs.map { $0.axes["seed"] ?? "-" }.sorted(),
                  metrics: Dictionary(uniqueKeysWithValues: MetricName.allCases.map { ($0.rawValue, Summary(runs.compactMap($0.value))) }),
                  metricProtocol: runs.first?.metricProtocol, runIds: runs.map(\.id).sorted())
        }
        return Baseline(grid: set.grid?.name ?? URL(fileURLWithPath: set.folder).lastPathComponent,
                        created: ISO8601DateFormatter().string(from: Date()), gitCommit: gitCommit, entries: entries)
    }

    public static func read(_ path: String) throws -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError(file: path, path: "", "no such baseline file") }
        do { return try RunDirectory.decoder.decode(Baseline.self, from: data) } catch {
            throw ConfigError(file: path, path: "", "not a baseline file: \(DecodingDescription.describe(error))")
        }
    }

    public func write(to path: String) throws { try AtomicFile.write(try RunDirectory.encoder.encode(self), to: path) }
}

/// The comparison of current results with a baseline. It is a check only if it compared something: missing,
/// failed, unreadable and not comparable experiments make it fail (`passed`) unless the caller allows missing ones.
public struct BaselineDiff: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var experiment: String
        public var metric: String
        public var baseline: Double
        public var current: Double
        public var delta: Double
        /// max(absolute tolerance, K·s·√(1/n_baseline + 1/n_current)), s the larger sample std over seeds.
        public var threshold: Double
        /// "regression", "improvement", "changed" (beyond threshold, no direction) or "ok".
        public var verdict: String
    }

    public var rows: [Row]
    /// Baseline experiments with no finished run in the results.
    public var missing: [String]
    /// Experiments in the results that the baseline does not have (reported, not a failure).
    public var extra: [String]
    /// Baseline experiments measured under another protocol now: not compared.
    public var protocolChanges: [String]
    /// Runs of baseline experiments that failed (diverged), with their reasons.
    public var failed: [String]
    /// result.json files that could not be read.
    public var unreadable: [String]
    public var allowMissing: Bool

    public var regressions: [Row] { rows.filter { $0.verdict == "regression" } }

    /// Why the check fails, one line each (empty when it passes).
    public var failures: [String] {
        var reasons: [String] = []
        if !regressions.isEmpty { reasons.append("\(regressions.count) regression(s)") }
        if rows.isEmpty { reasons.append("nothing was compared") }
        if !missing.isEmpty && !allowMissing { reasons.append("\(missing.count) baseline experiment(s) missing (--allow-missing to accept)") }
        if !failed.isEmpty { reasons.append("\(failed.count) failed run(s)") }
        if !unreadable.isEmpty { reasons.append("\(unreadable.count) unreadable result file(s)") }
        if !protocolChanges.isEmpty { reasons.append("\(protocolChanges.count) experiment(s) measured under another protocol") }
        return reasons
    }

    public var passed: Bool { failures.isEmpty }

    /// A difference counts when |Δ| > max(absoluteTolerance, sigmas·s·√(1/n_b + 1/n_c)): the standard error of a
    /// difference of means over n_b and n_c seeds, s the larger sample standard deviation over seeds of the two.
    public static func compare(_ set: ResultSet, to baseline: Baseline, absoluteTolerance: Double, sigmas: Double,
                               allowMissing: Bool = false) -> BaselineDiff {
        let current = Dictionary(uniqueKeysWithValues: Baseline.make(from: set, gitCommit: "").entries.map { ($0.experiment, $0) })
        let failedRuns = Dictionary(grouping: set.runs.filter { $0.status != "finished" }, by: ResultSet.experimentKey)
        var diff = BaselineDiff(rows: [], missing: [], extra: [], protocolChanges: [], failed: [],
                                unreadable: set.unreadable.map { "\($0.path): \($0.reason)" }, allowMissing: allowMissing)
        for entry in baseline.entries {
            for run in failedRuns[entry.experiment] ?? [] { diff.failed.append("\(entry.experiment) (\(run.id)): \(run.reason ?? "failed")") }
            guard let now = current[entry.experiment], now.metrics.values.contains(where: { $0.count > 0 }) else {
                diff.missing.append(entry.experiment)
                continue
            }
            if entry.metricProtocol != now.metricProtocol {
                diff.protocolChanges.append("\(entry.experiment): \(entry.metricProtocol?.description ?? "none") → \(now.metricProtocol?.description ?? "none")")
                continue
            }
            for metric in MetricName.allCases {
                guard let old = entry.metrics[metric.rawValue], let new = now.metrics[metric.rawValue], old.count > 0, new.count > 0 else { continue }
                let delta = new.mean - old.mean
                let spread = max(old.std, new.std) * (1 / Double(old.count) + 1 / Double(new.count)).squareRoot()
                let threshold = max(absoluteTolerance, sigmas * spread)
                var verdict = "ok"
                if abs(delta) > threshold {
                    if let worse = metric.higherIsWorse { verdict = (delta > 0) == worse ? "regression" : "improvement" } else { verdict = "changed" }
                }
                diff.rows.append(Row(experiment: entry.experiment, metric: metric.rawValue, baseline: old.mean, current: new.mean,
                                     delta: delta, threshold: threshold, verdict: verdict))
            }
        }
        let known = Set(baseline.entries.map(\.experiment))
        diff.extra = current.keys.filter { !known.contains($0) }.sorted()
        return diff
    }

    /// A report a person reads at a glance: regressions first, then the other flagged rows, what was not
    /// compared, a count, and the verdict.
    public var text: String {
        var lines: [String] = []
        let flagged = rows.filter { $0.verdict != "ok" }.sorted { ($0.verdict != "regression" ? 1 : 0, $0.experiment) < ($1.verdict != "regression" ? 1 : 0, $1.experiment) }
        for row in flagged {
            lines.append(String(format: "%@ %@ %@: %.4g → %.4g (Δ %+.4g, threshold %.4g)", row.verdict.uppercased(), row.experiment, row.metric,
                                row.baseline, row.current, row.delta, row.threshold))
        }
        for name in missing { lines.append("MISSING \(name): in the baseline, no finished run in the results") }
        for failure in failed { lines.append("FAILED RUN \(failure)") }
        for path in unreadable { lines.append("UNREADABLE \(path)") }
        for change in protocolChanges { lines.append("PROTOCOL CHANGED \(change): not compared") }
        for name in extra { lines.append("EXTRA \(name): in the results, not in the baseline (not compared)") }
        lines.append("\(rows.count) comparisons: \(regressions.count) regression(s), \(rows.filter { $0.verdict == "improvement" }.count) improvement(s), \(rows.filter { $0.verdict == "ok" }.count) within tolerance; \(missing.count) missing, \(failed.count) failed, \(unreadable.count) unreadable, \(protocolChanges.count) not comparable, \(extra.count) extra")
        lines.append(passed ? "PASSED" : "FAILED: " + failures.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }
}
