/// The settings of a synthetic MA-XRF painting that the quality suite varies.
public struct MAXRFOptions: Sendable, Equatable {
    /// Classes, 3...12: the exposed ground and `classes - 1` pigments (`Painting.pigments`).
    public var classes: Int = 7
    /// The last class covers about 1% of the pixels (a small patch).
    public var rareClass: Bool = false
    /// The last class is a dark material (bone black) holding a small fraction of the counts.
    public var darkClass: Bool = false
    /// Fraction of pixels (0...1) whose spectrum mixes 35% of another class's pigment into
    /// its own (label: its own class).
    public var mixing: Double = 0
    /// Amplitude of a smooth multiplicative gain over the image (intensity varying with
    /// thickness or geometry): counts are multiplied by exp(v * field), field in [-1, 1].
    public var intensityVariation: Double = 0
    /// Multiplier of the scattered tube radiation, the component every pixel shares.
    public var scatter: Double = 1

    public init(classes: Int = 7, rareClass: Bool = false, darkClass: Bool = false, mixing: Double = 0,
                intensityVariation: Double = 0, scatter: Double = 1) {
        self.classes = classes; self.rareClass = rareClass; self.darkClass = darkClass; self.mixing = mixing
        self.intensityVariation = intensityVariation; self.scatter = scatter
    }

    /// Valid class counts.
    public static let classRange = 3...12
}
