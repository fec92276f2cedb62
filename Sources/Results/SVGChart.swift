import Foundation

/// A line chart as SVG: real text, axes with ticks, a legend, shaded mean ± std bands over seeds, and each
/// point's values on hover (an SVG `<title>`, shown by the browser; no script, no external font).
public struct SVGChart {
    public struct Point {
        public var x: Double, mean: Double, std: Double, count: Int
        public init(x: Double, mean: Double, std: Double = 0, count: Int = 1) { (self.x, self.mean, self.std, self.count) = (x, mean, std, count) }
    }

    public struct Series {
        public var label: String
        public var points: [Point]
        public var dashed: Bool
        /// Series with the same colour index share a colour (e.g. one experiment's training and held-out lines).
        public var colour: Int
        public init(label: String, points: [Point], dashed: Bool = false, colour: Int) {
            (self.label, self.points, self.dashed, self.colour) = (label, points, dashed, colour)
        }
    }

    public var title: String, xLabel: String, yLabel: String
    public var series: [Series]
    public var width = 760.0, height = 440.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    /// The chart as an SVG document (`standalone`, with its XML namespace) or as an element to inline in HTML.
    public func render(standalone: Bool = true) -> String {
        let (left, right, top) = (70.0, width - 20, 40.0)
        let legendRows = Double((series.count + 1) / 2)
        let bottom = height - 60 - 18 * legendRows
        let points = series.flatMap(\.points)
        let xs = points.map(\.x), lows = points.map { $0.mean - $0.std }, highs = points.map { $0.mean + $0.std }
        var (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
        var (yMin, yMax) = (min(0, lows.min() ?? 0), highs.max() ?? 1)
        if xMax == xMin { xMax = xMin + 1 }
        if yMax == yMin { yMax = yMin + 1 }
        (xMin, yMax) = (xMin, yMax + (yMax - yMin) * 0.05)
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - yMin) / (yMax - yMin) * (bottom - top) }
        let namespace = standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
        var svg = String(format: "<svg%@ viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">",
                         namespace, width, height, width, height)
        svg += "<title>\(Self.escape(title))</title><rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        svg += String(format: "<text x=\"%.1f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%@</text>", left, Self.escape(title))
        for tick in Self.ticks(yMin, yMax) {
            svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>", left, right, py(tick), py(tick))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444\">%@</text>", left - 6, py(tick) + 4, Self.label(tick))
        }
        for tick in Self.ticks(xMin, xMax) {
            svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>", px(tick), px(tick), bottom, bottom + 5)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#444\">%@</text>", px(tick), bottom + 18, Self.label(tick))
        }
        svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>",
                      left, right, bottom, bottom, left, left, top, bottom)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", (left + right) / 2, bottom + 36, Self.escape(xLabel))
        svg += String(format: "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">%@</text>", (top + bottom) / 2, Self.escape(yLabel))
        for s in series where s.points.count > 0 {
            let colour = Self.palette[s.colour % Self.palette.count]
            if s.points.contains(where: { $0.std > 0 }) {
                let upper = s.points.map { String(format: "%.1f,%.1f", px($0.x), py($0.mean + $0.std)) }
                let lower = s.points.reversed().map { String(format: "%.1f,%.1f", px($0.x), py($0.mean - $0.std)) }
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            }
            let line = s.points.map { String(format: "%.1f,%.1f", px($0.x), py($0.mean)) }.joined(separator: " ")
            svg += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
            for p in s.points {
                let value = p.count > 1 ? String(format: "%.4g ± %.2g (n=%d)", p.mean, p.std, p.count) : String(format: "%.4g", p.mean)
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%@\"><title>%@ · %@ %@: %@</title></circle>",
                              px(p.x), py(p.mean), colour, Self.escape(s.label), Self.escape(xLabel), Self.label(p.x), value)
            }
        }
        for (index, s) in series.enumerated() {
            let (x, y) = (left + Double(index % 2) * (right - left) / 2, bottom + 54 + 18 * Double(index / 2))
            let colour = Self.palette[s.colour % Self.palette.count]
            svg += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"%@/>", x, x + 24, y - 4, y - 4,
                          colour, s.dashed ? " stroke-dasharray=\"6 4\"" : "")
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>", x + 30, y, Self.escape(s.label))
        }
        return svg + "</svg>"
    }

    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: ceil(low / step) * step, through: high + step * 1e-9, by: step).map { $0 }
    }

    static func label(_ value: Double) -> String {
        abs(value) >= 1000 && value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.4g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
