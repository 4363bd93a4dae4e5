/// The spectral axis of a cube: one coordinate per channel, in `unit`.
///
/// X-ray energy in eV or keV, wavelength in Angstrom, nm or um, or the bare channel index
/// when the file says nothing.
public struct SpectralAxis: Sendable, Codable, Equatable {
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case channel, eV, keV, angstrom, nm, um, hz = "Hz", kmPerS = "km/s", unknown
    }
    /// The title of a plot axis in this unit, e.g. "Energy (keV)", "Wavelength (nm)", "Channel".
    public static func title(unit: String) -> String {
        switch Unit(rawValue: unit) {
        case .eV?, .keV?: return "Energy (\(unit))"
        case .angstrom?: return "Wavelength (Angstrom)"
        case .nm?, .um?: return "Wavelength (\(unit))"
        case .hz?: return "Frequency (Hz)"
        case .kmPerS?: return "Velocity (km/s)"
        case .channel?: return "Channel"
        case .unknown?, nil: return unit == "unknown" || unit.isEmpty ? "Spectral axis" : unit
        }
    }

    /// The physical quantity the axis measures.
    public enum Quantity: String, Sendable, Codable {
        case index, energy, wavelength, frequency, velocity, other
    }
    /// Channel coordinates, length = number of channels.
    public var values: [Double]
    public var unit: Unit
    public var quantity: Quantity

    public init(values: [Double], unit: Unit, quantity: Quantity) {
        self.values = values
        self.unit = unit
        self.quantity = quantity
    }

    /// 0, 1, ..., n-1 in unit `channel`.
    public static func channelIndex(_ n: Int) -> SpectralAxis {
        SpectralAxis(values: (0..<n).map(Double.init), unit: .channel, quantity: .index)
    }

    /// `start + i * step` for i in 0..<n.
    public static func linear(count n: Int, start: Double, step: Double, unit: Unit, quantity: Quantity) -> SpectralAxis {
        SpectralAxis(values: (0..<n).map { start + Double($0) * step }, unit: unit, quantity: quantity)
    }

    /// The axis after summing adjacent channels in groups given by `edges`
    /// (`edges[i]..<edges[i+1]` becomes output channel i): each bin takes the mean coordinate.
    public func rebinned(edges: [Int]) -> SpectralAxis {
        var out: [Double] = []
        out.reserveCapacity(max(0, edges.count - 1))
        for i in 0..<(edges.count - 1) {
            let lo = edges[i], hi = edges[i + 1]
            var s = 0.0
            for c in lo..<hi { s += values[c] }
            out.append(s / Double(max(1, hi - lo)))
        }
        return SpectralAxis(values: out, unit: unit, quantity: quantity)
    }
}
