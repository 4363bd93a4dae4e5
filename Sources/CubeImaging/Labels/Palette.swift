import Foundation

/// Colours for label maps: cluster k gets `colors[k % colors.count]`, background pixels
/// (label -1) get `background`.
public struct Palette: Sendable, Equatable {
    public var colors: [PNG.RGBA]
    public var background: PNG.RGBA

    public init(colors: [PNG.RGBA], background: PNG.RGBA = Palette.black) {
        precondition(!colors.isEmpty, "a palette needs at least one colour")
        self.colors = colors; self.background = background
    }

    /// Opaque black, the default background.
    public static let black = PNG.RGBA(0, 0, 0, 255)
    /// Fully transparent black.
    public static let transparent = PNG.RGBA(0, 0, 0, 0)

    /// The default categorical palette: 255 opaque colours on an opaque black background.
    ///
    /// The first ten are Tableau 10 (blue, orange, green, red, purple, brown, pink, grey,
    /// olive, cyan); each further colour is chosen as in Glasbey et al. (2007): among the
    /// 4096 colours of a 16-level RGB grid, the one whose smallest CIELAB distance to black
    /// and to every colour already chosen is largest (ties: the first in grid order). The
    /// list is deterministic, so label k has the same colour in every image.
    public static let categorical = Palette(colors: glasbey(count: 255, seeds: tableau10, avoiding: [black]))

    /// The same colours on a transparent background (tRNS in indexed PNGs).
    public static let categoricalTransparent = Palette(colors: categorical.colors, background: transparent)

    /// Tableau 10.
    public static let tableau10: [PNG.RGBA] = [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ].map { PNG.RGBA(hex: $0) }

    /// The colour of `label`: `background` for negative labels.
    public func color(forLabel label: Int) -> PNG.RGBA {
        label < 0 ? background : colors[label % colors.count]
    }

    /// Greedy max-min CIELAB selection (see `categorical`).
    static func glasbey(count: Int, seeds: [PNG.RGBA], avoiding: [PNG.RGBA]) -> [PNG.RGBA] {
        var chosen = Array(seeds.prefix(count))
        var candidates: [PNG.RGBA] = []
        for r in 0..<16 { for g in 0..<16 { for b in 0..<16 { candidates.append(PNG.RGBA(UInt8(r * 17), UInt8(g * 17), UInt8(b * 17))) } } }
        let lab = candidates.map(CIELab.init)
        var nearest = [Double](repeating: .infinity, count: candidates.count)
        func include(_ c: PNG.RGBA) {
            let l = CIELab(c)
            for i in 0..<lab.count { nearest[i] = min(nearest[i], lab[i].distance(to: l)) }
        }
        (avoiding + chosen).forEach(include)
        while chosen.count < count {
            var best = 0
            for i in 1..<nearest.count where nearest[i] > nearest[best] { best = i }
            chosen.append(candidates[best])
            include(candidates[best])
        }
        return chosen
    }
}
