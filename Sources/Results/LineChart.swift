import Foundation
import Storage

/// A line chart rendered to an RGB PNG: series of (x, y) points, axes with tick labels, a title and a
/// legend, drawn with a built-in bitmap font (no font files, no network).
public struct LineChart {
    public struct Series {
        public var label: String
        public var points: [(Double, Double)]
        public var dashed: Bool
        public init(label: String, points: [(Double, Double)], dashed: Bool = false) {
            self.label = label
            self.points = points
            self.dashed = dashed
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 720, height = 420

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    static let palette: [(UInt8, UInt8, UInt8)] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
                                                    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]

    struct Canvas {
        let width: Int, height: Int
        var pixels: [UInt8]
        init(width: Int, height: Int) {
            self.width = width; self.height = height
            pixels = [UInt8](repeating: 255, count: width * height * 3)
        }
        mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let i = (y * width + x) * 3
            pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
        }
        mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: (UInt8, UInt8, UInt8), thick: Int = 2, dashed: Bool = false) {
            let steps = max(1, Int(max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)))
            for s in 0...steps {
                if dashed && (s / 6) % 2 == 1 { continue }
                let t = Double(s) / Double(steps)
                let (x, y) = (Int((x0 + (x1 - x0) * t).rounded()), Int((y0 + (y1 - y0) * t).rounded()))
                for dx in 0..<thick { for dy in 0..<thick { set(x + dx, y + dy, c) } }
            }
        }
        mutating func text(_ s: String, _ x: Int, _ y: Int, scale: Int = 2, _ c: (UInt8, UInt8, UInt8) = (40, 40, 40)) {
            for (dx, dy) in BitmapFont.pixels(s, scale: scale) { set(x + dx, y + dy, c) }
        }
    }

    /// Round tick values covering [low, high].
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        let span = max(high - low, 1e-12)
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: (low / step).rounded(.down) * step, through: high + step * 0.001, by: step).filter { $0 >= low - step * 0.001 }
    }

    static func label(_ v: Double) -> String {
        abs(v) >= 1000 ? String(format: "%.0f", v) : abs(v) >= 10 ? String(format: "%.0f", v) : String(format: "%.2g", v)
    }

    public func render() -> PNGImage {
        var canvas = Canvas(width: width, height: height)
        let (left, right, top, bottom) = (70, width - 20, 40, height - 110)
        let all = series.flatMap(\.points).filter { $0.1.isFinite }
        let xs = all.map(\.0), ys = all.map(\.1)
        let (xMin, xMax) = (xs.min() ?? 0, max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
        var (yMin, yMax) = (ys.min() ?? 0, ys.max() ?? 1)
        if yMax - yMin < 1e-9 { yMin -= 0.5; yMax += 0.5 }
        let pad = (yMax - yMin) * 0.05
        (yMin, yMax) = (yMin - pad, yMax + pad)
        func px(_ x: Double) -> Double { Double(left) + (x - xMin) / (xMax - xMin) * Double(right - left) }
        func py(_ y: Double) -> Double { Double(bottom) - (y - yMin) / (yMax - yMin) * Double(bottom - top) }
        canvas.text(title, left, 12)
        for tick in LineChart.ticks(yMin, yMax) {
            canvas.line(Double(left), py(tick), Double(right), py(tick), (225, 225, 225), thick: 1)
            let text = LineChart.label(tick)
            canvas.text(text, left - 8 - BitmapFont.textWidth(text, scale: 2), Int(py(tick)) - 5)
        }
        for tick in LineChart.ticks(xMin, xMax) {
            let text = LineChart.label(tick)
            canvas.line(px(tick), Double(bottom), px(tick), Double(bottom + 4), (80, 80, 80), thick: 1)
            canvas.text(text, Int(px(tick)) - BitmapFont.textWidth(text, scale: 2) / 2, bottom + 10)
        }
        canvas.line(Double(left), Double(top), Double(left), Double(bottom), (80, 80, 80), thick: 1)
        canvas.line(Double(left), Double(bottom), Double(right), Double(bottom), (80, 80, 80), thick: 1)
        canvas.text(xLabel, (left + right) / 2 - BitmapFont.textWidth(xLabel, scale: 2) / 2, bottom + 28)
        canvas.text(yLabel, 8, top - 24 + 8)
        for (index, s) in series.enumerated() {
            let color = LineChart.palette[index % LineChart.palette.count]
            let points = s.points.filter { $0.1.isFinite }.sorted { $0.0 < $1.0 }
            for (a, b) in zip(points, points.dropFirst()) { canvas.line(px(a.0), py(a.1), px(b.0), py(b.1), color, dashed: s.dashed) }
            for p in points { for dx in -2...2 { for dy in -2...2 { canvas.set(Int(px(p.0)) + dx, Int(py(p.1)) + dy, color) } } }
            let row = index / 2, column = index % 2
            let (lx, ly) = (left + column * (right - left) / 2, bottom + 50 + row * 16)
            canvas.line(Double(lx), Double(ly + 4), Double(lx + 24), Double(ly + 4), color, dashed: s.dashed)
            canvas.text(s.label, lx + 32, ly)
        }
        return PNGImage(width: width, height: height, channels: 3, pixels: canvas.pixels)
    }
}
