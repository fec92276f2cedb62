import Foundation

/// The kernel table as aligned text lines: one kernel a line, its rate per shape, the mean and the verdict.
public enum KernelTableText {
    /// `ownChoice`: the running kernel is OpenBLAS's own, so of two rows that loaded it (OpenBLAS's own and
    /// the same core requested by name) the former is marked as running; otherwise the requested one.
    public static func lines(_ table: KernelTable, running: String, ownChoice: Bool) -> [String] {
        let columns = table.shapes.map { String($0.split(separator: " ").first ?? "") }
        var lines = [pad("kernel", 28) + columns.map { pad($0, 13, right: true) }.joined() + pad("mean", 8, right: true) + "  verdict"]
        let sorted = table.measurements.sorted(by: { $0.score > $1.score })
        let loadedRunning = sorted.indices.filter { sorted[$0].loaded.map { BLASKernel.sameCore($0, running) } ?? false }
        let runningRow = loadedRunning.first { (sorted[$0].requested == nil) == ownChoice } ?? loadedRunning.first
        for (index, m) in sorted.enumerated() {
            let name = m.requested.map { request in
                m.loaded.map { BLASKernel.sameCore($0, request) ? request : "\(request) → \($0)" } ?? request
            } ?? "OpenBLAS's own: \(m.loaded ?? "?")"
            let rates = m.gflops.map { pad(String(format: "%.0f", $0), 13, right: true) }.joined()
            lines.append(pad(name, 28) + rates + pad(m.score > 0 ? String(format: "%.0f", m.score) : "–", 8, right: true)
                         + "  " + verdict(m, isRunning: index == runningRow))
        }
        return lines
    }

    static func verdict(_ m: KernelMeasurement, isRunning: Bool) -> String {
        if let failure = m.failure { return "failed: \(failure)" }
        if !m.selfCheckPassed { return "WRONG PRODUCTS (self-check failed)" }
        if !m.usable { return "not in this OpenBLAS build" }
        return isRunning ? "correct ← running" : "correct"
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let space = String(repeating: " ", count: max(0, width - text.count))
        return right ? space + text : text + space
    }
}
