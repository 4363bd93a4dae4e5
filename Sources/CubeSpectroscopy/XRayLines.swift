/// One characteristic X-ray emission line of an element.
///
/// Energies are in keV. `weight` is the approximate relative intensity of the line within its
/// family (K, L or M) of the same element, the family's strongest line having weight 1
/// (Ka, La, Ma; Ll for Ca, whose L lines are all below 0.4 keV).
public struct XRayLine: Sendable, Equatable {
    /// Element symbol, e.g. "Fe".
    public let element: String
    /// Atomic number Z (11 ... 92 in `XRayLines.all`).
    public let atomicNumber: Int
    /// Line name in Siegbahn-like notation: "Ka", "Kb", "La", "Lb1", "Lb2", "Lg1", "Ll", "Ma", "Mb".
    /// "Ka" is Ka1 and "Kb" is Kb1 (the tabulated energies are those lines', not blends).
    public let name: String
    /// Line energy in keV.
    public let energy: Double
    /// Relative intensity within the family, in (0, 1]; the family's strongest line is 1.
    public let weight: Double

    /// The family, "K", "L" or "M": the first letter of `name`.
    var family: Character { name.first ?? "?" }
}

/// Tabulated characteristic X-ray lines for Na (Z = 11) to U (Z = 92).
///
/// Source: HyperSpy 1.7.6, `hyperspy/misc/elements.py`
/// (https://github.com/hyperspy/hyperspy, GPL-3.0-or-later), which takes the energies from
/// Chantler, C.T., Olsen, K., Dragoset, R.A., Kishore, A.R., Kotochigova, S.A. and Zucker, D.S.
/// (2005), *X-Ray Transition Energies* (NIST Standard Reference Database 128), and the weights
/// from NIST's EPQ library. The Swift table (`XRayLineTable.swift`) is generated from that file by
/// `scripts/gen_xray_lines.py`, which documents the selection: lines Ka, Kb, La, Lb1, Lb2, Lg1, Ll,
/// Ma, Mb where the source has them, lines of zero weight dropped, families without a weight-1
/// line dropped (M lines of Po ... Ra).
public enum XRayLines {
    /// Every tabulated line, ordered by atomic number, then family (K, L, M), then line.
    public static let all: [XRayLine] = tabulated

    private static let byElement: [String: [XRayLine]] = Dictionary(grouping: tabulated, by: \.element)

    /// The lines of one element, by symbol ("Fe"; letter case is ignored, so "fe" and "FE" work).
    /// Returns an empty array for an unknown symbol or an element outside Z = 11 ... 92.
    public static func lines(of element: String) -> [XRayLine] {
        let symbol = element.prefix(1).uppercased() + element.dropFirst().lowercased()
        return byElement[symbol] ?? []
    }
}
