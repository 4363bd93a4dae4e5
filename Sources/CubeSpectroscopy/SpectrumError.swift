/// Why a spectrum cannot be searched for peaks.
public enum SpectrumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `x` and `y` have different lengths.
    case lengthMismatch(x: Int, y: Int)
    /// The energy unit is neither "keV" nor "eV".
    case unknownUnit(String)
    /// `x[index]` is not greater than `x[index - 1]`: the energy axis must be strictly increasing.
    case axisNotIncreasing(index: Int)
    /// `x[index]` or `y[index]` is NaN or infinite.
    case nonFinite(index: Int)

    public var description: String {
        switch self {
        case let .lengthMismatch(x, y): return "the spectrum has \(x) energies but \(y) values"
        case let .unknownUnit(u): return "unknown energy unit \"\(u)\" (use \"keV\" or \"eV\")"
        case let .axisNotIncreasing(i): return "the energy axis is not strictly increasing at index \(i)"
        case let .nonFinite(i): return "the spectrum has a NaN or infinite value at index \(i)"
        }
    }
}
