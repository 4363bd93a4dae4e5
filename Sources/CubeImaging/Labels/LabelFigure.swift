/// A label map people read: the map in its palette colours, enlarged by a whole factor to at
/// least about 320 pixels on its long side (at most 8 times), with a title and a legend
/// (each label's colour swatch and text) to its right. RGB; for label values as pixels use
/// `LabelImage.indexed` or `rawIndex`.
public enum LabelFigure {
    /// One legend row: the label's swatch and its text (e.g. "0  Fe-rich  41.2 %").
    public struct Entry: Sendable, Equatable {
        public var label: Int
        public var text: String
        public init(label: Int, text: String) { self.label = label; self.text = text }
    }

    /// The whole factor the map is drawn at for a `width` x `height` map.
    public static func scale(width: Int, height: Int) -> Int { max(1, min(8, 320 / max(1, max(width, height)))) }

    /// The figure as a canvas. Labels row-major (height, width), -1 = background (drawn in
    /// the palette's background colour).
    public static func render(labels: [Int32], width: Int, height: Int, title: String, legend: [Entry],
                              palette: Palette = .categorical) throws -> Canvas {
        let values = try LabelImage.pixelValues(labels: labels, width: width, height: height)
        let s = scale(width: width, height: height)
        let margin = 8, row = 14
        let legendWidth = 24 + max(Canvas.textWidth(title), legend.map { Canvas.textWidth($0.text) }.max() ?? 0) + 8
        let mapTop = margin + 16
        let figureHeight = max(mapTop + height * s + margin, mapTop + legend.count * row + margin)
        var canvas = Canvas(width: margin + width * s + margin + legendWidth, height: figureHeight)
        let ink = PNG.RGBA(40, 40, 40)
        canvas.text(title, x: margin, y: margin, color: ink)
        for y in 0..<height {
            for x in 0..<width {
                let v = values[y * width + x]
                let color = v == LabelImage.backgroundIndex ? palette.background : palette.color(forLabel: Int(v))
                canvas.fill(x: margin + x * s, y: mapTop + y * s, width: s, height: s, color: color)
            }
        }
        let x0 = margin + width * s + margin
        for (i, entry) in legend.enumerated() {
            let y = mapTop + i * row
            canvas.fill(x: x0, y: y, width: 16, height: 10, color: palette.color(forLabel: entry.label))
            canvas.text(entry.text, x: x0 + 22, y: y + 2, color: ink)
        }
        return canvas
    }
}
