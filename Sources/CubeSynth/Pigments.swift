/// The materials of the synthetic painting: the ground under everything and the pigment
/// of each region class.
struct Pigment: Sendable {
    let name: String
    /// Elements and their share of the pigment's fluorescence photons.
    let elements: [(String, Double)]
    /// Fluorescence photons of the pigment layer at unit thickness, relative to the
    /// exposed ground's.
    let strength: Double
    /// Attenuation of the ground's signal per unit layer thickness: ground photons are
    /// multiplied by `exp(-attenuation * thickness)`.
    let attenuation: Double
    /// Scattered tube photons (Rayleigh, Compton, continuum) relative to the exposed ground:
    /// light matrices scatter more than lead-rich ones.
    let scatter: Double
}

enum Painting {
    /// Lead white with some chalk, strontium from the chalk: under every region.
    static let ground: [(String, Double)] = [("Pb", 1.0), ("Ca", 0.3), ("Sr", 0.03), ("Ar", 0.01)]

    /// Class 0 is the exposed ground; classes 1... are painted regions. Shared elements
    /// (Pb everywhere, Fe, K, Ca, S in several) keep the task from being trivial.
    static let pigments: [Pigment] = [
        Pigment(name: "lead white ground (Pb, Ca)", elements: [], strength: 0, attenuation: 0, scatter: 0.2),
        Pigment(name: "vermilion (Hg, S)", elements: [("Hg", 1.0), ("S", 0.05)],
                strength: 0.9, attenuation: 1.2, scatter: 0.12),
        Pigment(name: "azurite (Cu)", elements: [("Cu", 1.0), ("Fe", 0.04), ("Ca", 0.05)],
                strength: 0.7, attenuation: 0.6, scatter: 0.25),
        Pigment(name: "umber (Fe, Mn)", elements: [("Fe", 1.0), ("Mn", 0.3), ("Ca", 0.08), ("K", 0.05)],
                strength: 0.8, attenuation: 0.7, scatter: 0.25),
        Pigment(name: "smalt (Co, As, K)", elements: [("Co", 0.5), ("As", 0.15), ("Ni", 0.08), ("K", 0.35), ("Si", 0.1)],
                strength: 0.6, attenuation: 0.4, scatter: 0.3),
        Pigment(name: "lead-tin yellow (Pb, Sn)", elements: [("Pb", 1.0), ("Sn", 0.45)],
                strength: 1.0, attenuation: 1.0, scatter: 0.12),
        Pigment(name: "zinc and titanium white retouching (Zn, Ti, Ba)", elements: [("Zn", 0.8), ("Ti", 0.5), ("Ba", 0.3), ("S", 0.05)],
                strength: 0.9, attenuation: 0.8, scatter: 0.3),
        // Classes 7... (`MAXRFOptions.classes` above 7).
        Pigment(name: "chrome yellow (Cr, Pb)", elements: [("Cr", 1.0), ("Pb", 0.5), ("S", 0.05)],
                strength: 0.8, attenuation: 0.9, scatter: 0.15),
        Pigment(name: "emerald green (Cu, As)", elements: [("Cu", 0.8), ("As", 0.7)],
                strength: 0.8, attenuation: 0.7, scatter: 0.2),
        Pigment(name: "orpiment (As, S)", elements: [("As", 1.0), ("S", 0.25)],
                strength: 0.7, attenuation: 0.6, scatter: 0.25),
        Pigment(name: "titanium white (Ti, Ca)", elements: [("Ti", 1.0), ("Ca", 0.12)],
                strength: 0.8, attenuation: 0.5, scatter: 0.35),
        Pigment(name: "cobalt blue (Co)", elements: [("Co", 1.0), ("Ni", 0.03)],
                strength: 0.6, attenuation: 0.4, scatter: 0.3),
    ]

    /// A dark material (`MAXRFOptions.darkClass`): bone black, little fluorescence (Ca),
    /// a thick layer that hides the ground and scatters little, so its pixels hold a small
    /// fraction of the counts of the others.
    static let dark = Pigment(name: "bone black (dark: Ca)", elements: [("Ca", 0.3)],
                              strength: 0.06, attenuation: 2.5, scatter: 0.05)
}
