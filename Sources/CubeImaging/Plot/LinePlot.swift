import Foundation

/// A line chart rendered to an RGB canvas: axes with "nice" ticks (1, 2, 5 x 10^n) and
/// numeric tick labels, light grid, optional title, axis labels, legend and dashed vertical
/// markers. Text uses the built-in 5 x 7 font (ASCII letters, digits, a few symbols).
public struct LinePlot: Sendable {
    /// One curve: `y[i]` at `x[i]`; non-finite points (and, with `logY`, y <= 0) break the line.
    public struct Series: Sendable {
        public var x: [Double]
        public var y: [Double]
        public var color: PNG.RGBA
        public var label: String?
        /// Draw a small square at every point.
        public var markers: Bool
        public init(x: [Double], y: [Double], color: PNG.RGBA, label: String? = nil, markers: Bool = false) {
            self.x = x; self.y = y; self.color = color; self.label = label; self.markers = markers
        }
    }

    public var series: [Series]
    public var width: Int
    public var height: Int
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    /// Plot log10(y) (ticks at powers of ten).
    public var logY: Bool
    /// x positions marked by a dashed vertical line (e.g. the chosen K).
    public var verticalMarkers: [Double]
    /// Text labels at data points (e.g. peak names), drawn above the point; one that would
    /// overlap a label already drawn (taller points first) is left out.
    public var annotations: [Annotation] = []

    public struct Annotation: Sendable {
        public var x: Double
        public var y: Double
        public var text: String
        public var color: PNG.RGBA
        public init(x: Double, y: Double, text: String, color: PNG.RGBA) { self.x = x; self.y = y; self.text = text; self.color = color }
    }

    public init(series: [Series], width: Int = 800, height: Int = 480, title: String? = nil, xLabel: String? = nil,
                yLabel: String? = nil, logY: Bool = false, verticalMarkers: [Double] = []) {
        self.series = series; self.width = width; self.height = height; self.title = title
        self.xLabel = xLabel; self.yLabel = yLabel; self.logY = logY; self.verticalMarkers = verticalMarkers
    }

    static let ink = PNG.RGBA(40, 40, 40), grid = PNG.RGBA(225, 225, 225), markerInk = PNG.RGBA(120, 120, 120)

    /// The plot as an RGB PNG.
    public func png(text: [PNG.TextEntry] = []) throws -> [UInt8] { try render().png(text: text) }

    /// Draws the plot. Throws `ImagingError.invalidPlotData` when a series' x and y lengths
    /// differ or no series has a drawable point, or the canvas is smaller than 120 x 80.
    public func render() throws -> Canvas {
        guard width >= 120, height >= 80 else { throw ImagingError.invalidPlotData("canvas \(width) x \(height) is below 120 x 80") }
        for s in series where s.x.count != s.y.count {
            throw ImagingError.invalidPlotData("series \(s.label ?? "") has \(s.x.count) x and \(s.y.count) y values")
        }
        let points = series.map { s in zip(s.x, s.y).map { (x: $0, y: logY ? ($1 > 0 ? log10($1) : .nan) : $1) } }
        let finite = points.joined().filter { $0.x.isFinite && $0.y.isFinite }
        guard !finite.isEmpty else { throw ImagingError.invalidPlotData("no finite point to draw") }
        var (xlo, xhi) = Self.range(finite.map(\.x) + verticalMarkers.filter(\.isFinite))
        var (ylo, yhi) = Self.range(finite.map(\.y))
        // 5 % headroom in y (not below 0 for non-negative data), 3 % in x when markers are drawn.
        let yPad = (yhi - ylo) * 0.05
        ylo = ylo >= 0 && !logY ? max(0, ylo - yPad) : ylo - yPad
        yhi += yPad
        if series.contains(where: \.markers) { let xPad = (xhi - xlo) * 0.03; xlo -= xPad; xhi += xPad }
        let xTicks = Self.niceTicks(xlo, xhi, count: max(2, width / 110)).filter { $0 >= xlo && $0 <= xhi }
        var yTicks = (logY ? Self.logTicks(ylo, yhi) : Self.niceTicks(ylo, yhi, count: max(2, height / 70))).filter { $0 >= ylo && $0 <= yhi }
        // Less than two powers of ten in range: nice ticks of log10(y), labelled with y.
        let logFallback = logY && yTicks.count < 2
        if logFallback { yTicks = Self.niceTicks(ylo, yhi, count: max(2, height / 70)).filter { $0 >= ylo && $0 <= yhi } }

        let yStep = Self.step(yTicks)
        let yLabels = yTicks.map { t -> String in
            if logFallback { return String(format: "%.3g", pow(10, t)) }
            return logY ? Self.format(pow(10, t), step: pow(10, t)) : Self.format(t, step: yStep)
        }
        let left = 14 + (yLabels.map { Canvas.textWidth($0) }.max() ?? 0) + (yLabel == nil ? 0 : 14)
        let top = title == nil ? 14 : 30, right = 16, bottom = 30 + (xLabel == nil ? 0 : 14)
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Int { left + Int(((x - xlo) / (xhi - xlo) * Double(plotW)).rounded()) }
        func py(_ y: Double) -> Int { top + plotH - Int(((y - ylo) / (yhi - ylo) * Double(plotH)).rounded()) }

        var canvas = Canvas(width: width, height: height)
        for (t, label) in zip(yTicks, yLabels) {
            canvas.line(from: (left, py(t)), to: (left + plotW, py(t)), color: Self.grid)
            canvas.line(from: (left - 4, py(t)), to: (left, py(t)), color: Self.ink)
            canvas.text(label, x: left - 6 - Canvas.textWidth(label), y: py(t) - 3, color: Self.ink)
        }
        let xStep = Self.step(xTicks)
        for t in xTicks {
            canvas.line(from: (px(t), top), to: (px(t), top + plotH), color: Self.grid)
            canvas.line(from: (px(t), top + plotH), to: (px(t), top + plotH + 4), color: Self.ink)
            let label = Self.format(t, step: xStep)
            canvas.text(label, x: px(t) - Canvas.textWidth(label) / 2, y: top + plotH + 8, color: Self.ink)
        }
        for m in verticalMarkers where m.isFinite {
            for y in stride(from: top, to: top + plotH, by: 8) {
                canvas.line(from: (px(m), y), to: (px(m), min(top + plotH, y + 4)), color: Self.markerInk, thickness: 2)
            }
        }
        for (s, pts) in zip(series, points) {
            var previous: (Int, Int)?
            for p in pts {
                guard p.x.isFinite, p.y.isFinite else { previous = nil; continue }
                let q = (px(p.x), py(p.y))
                if let previous { canvas.line(from: previous, to: q, color: s.color, thickness: 2) }
                if s.markers { canvas.fill(x: q.0 - 3, y: q.1 - 3, width: 7, height: 7, color: s.color) }
                previous = q
            }
        }
        var placed: [(x0: Int, y0: Int, x1: Int, y1: Int)] = []
        for a in annotations.sorted(by: { $0.y > $1.y }) {
            let y = logY ? (a.y > 0 ? log10(a.y) : .nan) : a.y
            guard a.x.isFinite, y.isFinite, a.x >= xlo, a.x <= xhi else { continue }
            let w = Canvas.textWidth(a.text)
            let (x, top0) = (px(a.x), max(top + 1, py(y) - 14))
            let box = (x0: min(max(left + 1, x - w / 2), left + plotW - w - 1), y0: top0, x1: 0, y1: top0 + 9)
            let b = (x0: box.x0, y0: box.y0, x1: box.x0 + w, y1: box.y1)
            guard !placed.contains(where: { $0.x0 < b.x1 + 3 && b.x0 < $0.x1 + 3 && $0.y0 < b.y1 && b.y0 < $0.y1 }) else { continue }
            placed.append(b)
            canvas.line(from: (x, b.y1 + 1), to: (x, min(top + plotH, py(y) - 2)), color: a.color)
            canvas.text(a.text, x: b.x0, y: b.y0, color: a.color)
        }
        canvas.line(from: (left, top), to: (left, top + plotH), color: Self.ink)
        canvas.line(from: (left, top + plotH), to: (left + plotW, top + plotH), color: Self.ink)
        if let title { canvas.text(title, x: left + (plotW - Canvas.textWidth(title, scale: 2)) / 2, y: 6, color: Self.ink, scale: 2) }
        if let xLabel { canvas.text(xLabel, x: left + (plotW - Canvas.textWidth(xLabel)) / 2, y: height - 12, color: Self.ink) }
        if let yLabel { canvas.text(yLabel, x: 4, y: top - 10 + (title == nil ? 2 : 0), color: Self.ink) }
        // Legend, top right, when every series has a label and they fit.
        let labelled = series.filter { $0.label != nil }
        if !labelled.isEmpty, labelled.count == series.count, labelled.count * 12 + 8 < plotH {
            let w = (labelled.map { Canvas.textWidth($0.label!) }.max() ?? 0) + 26
            let x0 = left + plotW - w - 6, y0 = top + 6
            canvas.fill(x: x0, y: y0, width: w, height: labelled.count * 12 + 6, color: PNG.RGBA(255, 255, 255))
            for (i, s) in labelled.enumerated() {
                canvas.fill(x: x0 + 4, y: y0 + 5 + i * 12, width: 12, height: 5, color: s.color)
                canvas.text(s.label!, x: x0 + 20, y: y0 + 4 + i * 12, color: Self.ink)
            }
        }
        return canvas
    }

    /// min and max, widened to a non-empty interval.
    static func range(_ values: [Double]) -> (Double, Double) {
        let lo = values.min()!, hi = values.max()!
        if hi > lo { return (lo, hi) }
        let d = lo == 0 ? 1 : abs(lo) * 0.1
        return (lo - d, hi + d)
    }

    /// Multiples of a step of 1, 2 or 5 x 10^n covering [lo, hi] with about `count` intervals.
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        let raw = (hi - lo) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(lo / step), last = ceil(hi / step)
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Integer powers of ten within [lo, hi] (log10 units); at least the two around the range.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let a = floor(lo), b = ceil(hi)
        let every = max(1, Int((b - a) / 6))
        return stride(from: a, through: b, by: Double(every)).map { $0 }
    }

    static func step(_ ticks: [Double]) -> Double { ticks.count > 1 ? ticks[1] - ticks[0] : 1 }

    /// A tick label with as many decimals as the step needs; exponent form for very large
    /// or very small magnitudes.
    static func format(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let m = abs(v)
        if m >= 1e6 || m < 1e-4 { return String(format: "%.3g", v).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+", with: "e") }
        let decimals = max(0, Int(-floor(log10(abs(step)) + 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }
}
