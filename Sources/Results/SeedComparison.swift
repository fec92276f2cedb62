import Foundation

/// Whether two cells differ by more than their spread over seeds: Welch's t for the difference of two means,
/// t = (m₁ − m₂) / √(s₁²/n₁ + s₂²/n₂), with the Welch–Satterthwaite degrees of freedom
/// ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)). With three seeds a side ν is 2–4, where
/// |t| must exceed 4.30 (ν = 2) to 2.78 (ν = 4) for a two-sided 5% test.
public struct SeedComparison: Equatable, Sendable {
    public let difference: Double
    public let t: Double
    public let degreesOfFreedom: Double

    /// nil unless both sides have two seeds or more and some spread.
    public init?(_ a: Summary, minus b: Summary) {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let (va, vb) = (a.std * a.std / Double(a.count), b.std * b.std / Double(b.count))
        guard va + vb > 0 else { return nil }
        difference = a.mean - b.mean
        t = difference / (va + vb).squareRoot()
        degreesOfFreedom = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
    }

    /// "+0.03 (t = 0.5, ν = 2.4)".
    public func text(digits: Int = 2) -> String {
        String(format: "%+.\(digits)f (t = %.1f, ν = %.1f)", difference, t, degreesOfFreedom)
    }
}

extension ResultsTable {
    /// For every other row of each column, its difference from row `reference` in best and final FID, final
    /// KID and D's training − held-out gap, each with Welch's t over seeds; lines for under the table. The caller
    /// checks that `reference` is one of `rows`. A column without a `reference` cell is compared with the
    /// reference of the one column that has it, and its lines say so: a grid lists a baseline that does not
    /// depend on the column (Table 1's none, which augments nothing, under one policy) in that column alone.
    public func comparisons(to reference: String) -> [String] {
        let referenceColumns = columns.filter { cells[ResultsTable.key(reference, $0)] != nil }
        var lines: [String] = []
        for column in columns {
            let own = referenceColumns.contains(column)
            guard own || referenceColumns.count == 1 else { continue }
            let baseColumn = own ? column : referenceColumns[0]
            let base = cells[ResultsTable.key(reference, baseColumn)]!
            let referenceText = own ? reference : "\(reference) (\(columnAxis ?? "column")=\(baseColumn), the only \(reference) cell)"
            for row in rows where row != reference {
                guard let cell = cells[ResultsTable.key(row, column)] else { continue }
                let metrics: [(String, Summary, Summary, Int)] = [("best FID", cell.best, base.best, 2), ("final FID", cell.final, base.final, 2),
                                                                  ("final KID", cell.kid, base.kid, 4),
                                                                  ("D gap", cell.discriminatorGap, base.discriminatorGap, 2)]
                let parts = metrics.compactMap { name, a, b, digits in SeedComparison(a, minus: b).map { "\(name) \($0.text(digits: digits))" } }
                guard !parts.isEmpty else { continue }
                let place = columnAxis.map { "\($0)=\(column), " } ?? ""
                lines.append("\(place)\(row) − \(referenceText): " + parts.joined(separator: "; "))
            }
        }
        return lines
    }
}
