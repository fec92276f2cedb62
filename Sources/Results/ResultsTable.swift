import Foundation
import Metrics

/// A paper-style table of a grid's results: rows and columns are grid axes (the config's `paper.rows` and
/// `paper.columns`, else its first two axes), each cell the mean ± std over seeds of the best-FID and final
/// FID, with the paper's reported number beside it where the config names one. Runs measured under
/// different protocols go to separate tables: numbers of two protocols never share a column.
public struct ResultsTable {
    public enum Format: String, CaseIterable, Sendable { case md, csv, tex }
    /// wide: one row per row-axis value, each column-axis value a group of columns (the paper's layout);
    /// long: one row per (column value, row value) pair, so many metrics over many columns stay readable.
    public enum Layout: String, CaseIterable, Sendable { case wide, long }

    public struct Cell {
        public var best: Summary
        public var final: Summary
        /// KID of the final evaluation.
        public var kid: Summary
        /// FID of the final generator under `evaluation.final_extractor` (empty when no run has it).
        public var secondFID: Summary
        /// From `evaluation.explain` (empty when no run has it): precision, recall, memorised share, and the
        /// shares of final samples showing cutout's grey square and translation's grey edge band.
        public var precision: Summary, recall: Summary, memorised: Summary, cutoutLeakage: Summary,
                   translationLeakage: Summary
        /// D's training − held-out accuracy over each finished run's last evaluations (`DiscriminatorGap`).
        public var discriminatorGap: Summary
        /// Training wall time of each finished run, in seconds.
        public var seconds: Summary
        public var failed: Int
        public var paper: Double?
    }

    public let title: String
    public let protocolText: String
    public let rowAxis: String
    public let columnAxis: String?
    public let rows: [String]
    public let columns: [String]
    public let cells: [String: Cell]
    /// The protocol of the final extractor's column, when runs have one.
    public let secondProtocol: MetricProtocol?

    static func key(_ row: String, _ column: String) -> String { row + "\u{1F}" + column }

    /// One table per protocol found among the runs.
    public static func build(_ set: ResultSet) -> [ResultsTable] {
        let paper = set.grid?.paper
        let axes = (set.grid?.axes ?? Array(Set(set.runs.flatMap(\.axes.keys))).sorted()).filter { $0 != "seed" }
        var rowAxis = axes.first ?? "experiment"
        var columnAxis: String? = axes.count > 1 ? axes[1] : nil
        if case .string(let r)? = paper?["rows"], axes.contains(r) { rowAxis = r }
        if case .string(let c)? = paper?["columns"], axes.contains(c) { columnAxis = c }
        let extra = axes.filter { $0 != rowAxis && $0 != columnAxis }
        func rowLabel(_ axes: [String: String], _ label: String) -> String {
            ([axes[rowAxis] ?? label] + extra.map { "\($0)=\(axes[$0] ?? "")" }).joined(separator: ", ")
        }
        func rowLabel(_ run: RunResult) -> String { rowLabel(run.axes, run.label) }
        func columnLabel(_ axes: [String: String]) -> String { columnAxis.flatMap { axes[$0] } ?? "FID" }
        func columnLabel(_ run: RunResult) -> String { columnLabel(run.axes) }
        // Rows and columns in the config's order (the grid record lists experiments as the config expands them).
        let planned = set.grid?.runs ?? []
        let rowOrder = orderedUnique(planned.map { rowLabel($0.axes, $0.label) })
        let columnOrder = orderedUnique(planned.map { columnLabel($0.axes) })
        func inConfigOrder(_ labels: [String], _ order: [String]) -> [String] {
            let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            return orderedUnique(labels).sorted { (position[$0] ?? .max, $0) < (position[$1] ?? .max, $1) }
        }
        var title = set.grid?.name ?? URL(fileURLWithPath: set.folder).lastPathComponent
        if case .string(let t)? = paper?["table"] { title += " — paper: \(t)" }
        let byProtocol = Dictionary(grouping: set.runs) { $0.metricProtocol?.description ?? "no evaluation" }
        return byProtocol.keys.sorted().map { protocolText in
            let runs = byProtocol[protocolText]!
            var cells: [String: Cell] = [:]
            let rows = inConfigOrder(runs.map(rowLabel), rowOrder), columns = inConfigOrder(runs.map(columnLabel), columnOrder)
            for row in rows {
                for column in columns {
                    let members = runs.filter { rowLabel($0) == row && columnLabel($0) == column }
                    guard !members.isEmpty else { continue }
                    var reported: Double?
                    if case .number(let value)? = paper?["reported"]?[members[0].axes[rowAxis] ?? ""]?[column] { reported = value }
                    let finished = members.filter { $0.status == "finished" }
                    let gaps = finished.compactMap { DiscriminatorGap.late(set.directory(for: $0.id).readMetrics()) }
                    cells[key(row, column)] = Cell(best: Summary(members.compactMap(MetricName.fidBest.value)),
                                                   final: Summary(members.compactMap(MetricName.fidFinal.value)),
                                                   kid: Summary(members.compactMap(MetricName.kidFinal.value)),
                                                   secondFID: Summary(finished.compactMap { $0.finalScores?.final.fid }),
                                                   precision: Summary(members.compactMap(MetricName.precision.value)),
                                                   recall: Summary(members.compactMap(MetricName.recall.value)),
                                                   memorised: Summary(members.compactMap(MetricName.memorised.value)),
                                                   cutoutLeakage: Summary(members.compactMap(MetricName.leakCutout.value)),
                                                   translationLeakage: Summary(members.compactMap(MetricName.leakTranslation.value)),
                                                   discriminatorGap: Summary(gaps), seconds: Summary(finished.map(\.seconds)),
                                                   failed: members.filter { $0.status != "finished" }.count, paper: reported)
                }
            }
            let second = runs.compactMap { $0.finalScores?.metricProtocol }.first
            return ResultsTable(title: title, protocolText: protocolText, rowAxis: rowAxis, columnAxis: columnAxis,
                                rows: rows, columns: columns, cells: cells, secondProtocol: second)
        }
    }

    /// The values in order of first appearance, each once.
    static func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    static func text(_ s: Summary, digits: Int = 2) -> String {
        guard s.count > 0 else { return "–" }
        return s.count > 1 ? String(format: "%.\(digits)f ± %.\(digits)f", s.mean, s.std) : String(format: "%.\(digits)f", s.mean)
    }

    var hasPaper: Bool { cells.values.contains { $0.paper != nil } }
    var hasSecond: Bool { secondProtocol != nil }
    var hasExplanations: Bool { cells.values.contains { $0.precision.count > 0 } }
    var hasGap: Bool { cells.values.contains { $0.discriminatorGap.count > 0 } }

    /// Per cell: best FID (with seeds and failures), final FID, final KID, the final extractor's FID, the paper's number.
    var parts: [String] {
        ["best FID", "final FID", "final KID"] + (hasSecond ? ["\(ResultsTable.shortName(secondProtocol!.extractor)) FID"] : [])
            + (hasExplanations ? ["precision", "recall", "memorised", "cutout leak", "translation leak"] : [])
            + (hasGap ? ["D acc. train − held-out, last \(DiscriminatorGap.evaluations) evals"] : []) + (hasPaper ? ["paper"] : [])
    }

    static func shortName(_ extractor: String) -> String { extractor.hasPrefix("inception") ? "Inception" : extractor }

    func cellTexts(_ row: String, _ column: String) -> [String] {
        guard let cell = cells[ResultsTable.key(row, column)] else { return parts.map { _ in "" } }
        let seeds = cell.best.count > 1 ? " (n=\(cell.best.count))" : ""
        let failed = cell.failed > 0 ? " [\(cell.failed) failed]" : ""
        var texts = [ResultsTable.text(cell.best) + seeds + failed, ResultsTable.text(cell.final), ResultsTable.text(cell.kid, digits: 4)]
        if hasSecond { texts.append(ResultsTable.text(cell.secondFID)) }
        if hasExplanations {
            texts += [cell.precision, cell.recall, cell.memorised, cell.cutoutLeakage, cell.translationLeakage].map { ResultsTable.text($0) }
        }
        if hasGap { texts.append(ResultsTable.text(cell.discriminatorGap)) }
        if hasPaper { texts.append(cell.paper.map { String(format: "%.2f", $0) } ?? "") }
        return texts
    }

    /// "Training wall time: …" over the table's finished runs (as each measured it: runs that shared the
    /// cores with another took longer), or nil when there is none.
    var wallTimeText: String? {
        let seconds = cells.values.flatMap(\.seconds.values)
        guard let shortest = seconds.min(), let longest = seconds.max() else { return nil }
        return "Training wall time: \(seconds.count) finished run(s), \(DurationText.format(seconds.reduce(0, +))) in all, "
            + "\(DurationText.format(shortest))–\(DurationText.format(longest)) each."
    }

    func headerCells(_ layout: Layout) -> [String] {
        guard layout == .wide || columnAxis == nil else { return [columnAxis!, rowAxis] + parts }
        return [rowAxis] + columns.flatMap { column in parts.map { columnAxis == nil ? $0 : "\(columnAxis!)=\(column) \($0)" } }
    }

    func bodyRows(_ layout: Layout) -> [[String]] {
        guard layout == .wide || columnAxis == nil else {
            return columns.flatMap { column in
                rows.filter { cells[ResultsTable.key($0, column)] != nil }.map { [column, $0] + cellTexts($0, column) }
            }
        }
        return rows.map { row in [row] + columns.flatMap { cellTexts(row, $0) } }
    }

    public func render(_ format: Format, layout: Layout = .wide) -> String {
        let (header, body) = (headerCells(layout), bodyRows(layout))
        switch format {
        case .md:
            var lines = ["### \(title)", "", "Protocol: \(protocolText)"
                         + (secondProtocol.map { "; \(ResultsTable.shortName($0.extractor)) FID of the final generator: \($0.description)" } ?? "")
                         + ". Mean ± sample std over seeds; best = the best-FID evaluation of each run.", ""]
            lines.append("| " + header.joined(separator: " | ") + " |")
            lines.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
            lines += body.map { "| " + $0.joined(separator: " | ") + " |" }
            if let time = wallTimeText { lines += ["", time] }
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            func quote(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
            var lines = ["table,protocol,row,column,best_mean,best_std,final_mean,final_std,seeds,failed,paper,kid_mean,kid_std,second_fid_mean,second_fid_std,d_gap_mean,d_gap_std,wall_seconds_mean"]
            for row in rows {
                for column in columns {
                    guard let c = cells[ResultsTable.key(row, column)] else { continue }
                    // Mean and std of a summary that may be empty (no run has it): blank fields then.
                    func meanStd(_ s: Summary) -> [String] { s.count > 0 ? ["\(s.mean)", "\(s.std)"] : ["", ""] }
                    let (second, gap) = (meanStd(c.secondFID), meanStd(c.discriminatorGap))
                    let wall = [c.seconds.count > 0 ? "\(c.seconds.mean)" : ""]
                    lines.append(([title, protocolText, row, column, "\(c.best.mean)", "\(c.best.std)", "\(c.final.mean)", "\(c.final.std)",
                                   "\(c.best.count)", "\(c.failed)", c.paper.map { "\($0)" } ?? "", "\(c.kid.mean)", "\(c.kid.std)"] + second + gap + wall)
                        .map(quote).joined(separator: ","))
                }
            }
            return lines.joined(separator: "\n") + "\n"
        case .tex:
            func escape(_ s: String) -> String {
                s.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "±", with: "$\\pm$")
            }
            var lines = ["% \(escape(title)); protocol: \(escape(protocolText))", "\\begin{tabular}{l" + String(repeating: "r", count: header.count - 1) + "}", "\\toprule"]
            lines.append(header.map(escape).joined(separator: " & ") + " \\\\")
            lines.append("\\midrule")
            lines += body.map { $0.map(escape).joined(separator: " & ") + " \\\\" }
            lines += ["\\bottomrule", "\\end{tabular}"]
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
