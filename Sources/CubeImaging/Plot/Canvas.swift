/// An RGB raster to draw plots on: row-major (height, width, 3) bytes, origin top left.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// R, G, B per pixel, row major.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: PNG.RGBA = PNG.RGBA(255, 255, 255)) {
        precondition(width > 0 && height > 0, "empty canvas")
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    /// The colour at (x, y) (alpha 255).
    public func color(x: Int, y: Int) -> PNG.RGBA {
        let i = (y * width + x) * 3
        return PNG.RGBA(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets (x, y), ignoring points outside the canvas.
    public mutating func plot(x: Int, y: Int, color: PNG.RGBA) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.r; pixels[i + 1] = color.g; pixels[i + 2] = color.b
    }

    /// Fills the rectangle [x, x + width) x [y, y + height), clipped to the canvas.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: PNG.RGBA) {
        let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { plot(x: xx, y: yy, color: color) } }
    }

    /// A straight line from (x0, y0) to (x1, y1) (Bresenham), `thickness` pixels wide.
    public mutating func line(from p0: (x: Int, y: Int), to p1: (x: Int, y: Int), color: PNG.RGBA, thickness: Int = 1) {
        var x = p0.x, y = p0.y
        let dx = abs(p1.x - x), dy = -abs(p1.y - y), sx = x < p1.x ? 1 : -1, sy = y < p1.y ? 1 : -1
        var err = dx + dy
        let lo = -(thickness - 1) / 2, hi = thickness / 2
        while true {
            for oy in lo...hi { for ox in lo...hi { plot(x: x + ox, y: y + oy, color: color) } }
            if x == p1.x && y == p1.y { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Draws `text` with the 5 x 7 bitmap font, top-left corner at (x, y), each font pixel
    /// `scale` x `scale` canvas pixels.
    public mutating func text(_ text: String, x: Int, y: Int, color: PNG.RGBA, scale: Int = 1) {
        for (n, character) in text.enumerated() {
            let rows = BitmapFont.rows(character)
            for (r, bits) in rows.enumerated() {
                for c in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - c)) != 0 {
                    fill(x: x + (n * BitmapFont.advance + c) * scale, y: y + r * scale, width: scale, height: scale, color: color)
                }
            }
        }
    }

    /// Width in canvas pixels of `text` at `scale`.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int { BitmapFont.width(of: text) * scale }

    /// The canvas as an 8-bit RGB PNG.
    public func png(text: [PNG.TextEntry] = [], encoder: PNG.Encoder = PNG.Encoder()) throws -> [UInt8] {
        try encoder.encode(.rgb(width: width, height: height, pixels: pixels, text: text))
    }
}
