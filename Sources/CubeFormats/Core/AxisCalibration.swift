import Foundation

/// A spectral axis the user gives for a file that carries none (NumPy, raw) or to override
/// the file's own: `start + i * step` for channel i, or one value per channel, in `unit`
/// (a name `SpectralUnitName` knows: keV, eV, nm, um, Angstrom, Hz, km/s, channel).
///
/// An axis file (`--axis-file`) is JSON, `{"start": 0, "step": 0.01, "unit": "keV"}` or
/// `{"values": [...], "unit": "nm"}`, or text: one number per line or comma/space separated
/// (the unit then comes from `--axis-unit`).
public struct AxisCalibration: Sendable, Codable, Equatable {
    public var start: Double?
    public var step: Double?
    /// One coordinate per channel; when set, `start` and `step` are not used.
    public var values: [Double]?
    public var unit: String?

    public init(start: Double? = nil, step: Double? = nil, values: [Double]? = nil, unit: String? = nil) {
        self.start = start; self.step = step; self.values = values; self.unit = unit
    }

    /// The unit names accepted, for messages.
    public static let unitNames = "keV, eV, nm, um, angstrom, Hz, km/s, channel"

    /// Checks the fields alone (before any file is read). The field names are the snake_case
    /// ones of the upload query (`axis_start`, `axis_step`, `axis_unit`).
    public func validate() throws(CubeOpenRequest.Invalid) {
        if let values {
            guard !values.isEmpty, values.allSatisfy(\.isFinite) else {
                throw .init(field: "axis_file", reason: "must hold one finite number per channel")
            }
        } else {
            guard let start, let step else {
                throw .init(field: start == nil ? "axis_start" : "axis_step",
                            reason: "axis_start and axis_step go together (channel i is at start + i * step)")
            }
            guard start.isFinite else { throw .init(field: "axis_start", reason: "must be a finite number, not \(start)") }
            guard step.isFinite, step != 0 else { throw .init(field: "axis_step", reason: "must be a finite number other than 0, not \(step)") }
        }
        if let unit, SpectralUnitName.parse(unit) == nil {
            throw .init(field: "axis_unit", reason: "must be one of \(Self.unitNames), not \"\(unit)\"")
        }
    }

    /// The axis for a cube of `channels` channels.
    /// - Throws: `CubeFormatError` (.sizeMismatch) when `values` has another length.
    public func axis(channels: Int, file: String) throws -> SpectralAxis {
        let coordinates: [Double]
        if let values {
            guard values.count == channels else {
                throw CubeFormatError(.sizeMismatch, file: file, field: "axis", expected: "\(channels) values, one per channel",
                                      found: "\(values.count) values")
            }
            coordinates = values
        } else {
            coordinates = (0..<channels).map { (start ?? 0) + Double($0) * (step ?? 1) }
        }
        return SpectralUnitName.axis(values: coordinates, unitName: unit, fallback: (.unknown, .other))
    }

    /// `CUBE_axis.json` beside `CUBE.npy` (or any extension): where `cubeseg synth` writes the
    /// axis of the cube it makes, and where `cubeseg segment` looks for one.
    public static func sidecarURL(for cube: URL) -> URL {
        cube.deletingLastPathComponent().appendingPathComponent(cube.deletingPathExtension().lastPathComponent + "_axis.json")
    }

    /// `{"start", "step", "unit"}` JSON for a linear axis, `{"values", "unit"}` otherwise.
    public static func encode(_ axis: SpectralAxis) throws -> Data {
        let v = axis.values
        let step = v.count > 1 ? (v[v.count - 1] - v[0]) / Double(v.count - 1) : 1
        let linear = v.enumerated().allSatisfy { abs($0.element - (v[0] + Double($0.offset) * step)) <= 1e-9 * max(1, abs($0.element)) }
        let calibration = linear ? AxisCalibration(start: v.first ?? 0, step: step, unit: axis.unit.rawValue)
                                 : AxisCalibration(values: v, unit: axis.unit.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(calibration)
    }

    /// Reads an axis file (see the type); `unit` is used when the file names none.
    public static func read(_ url: URL, unit: String? = nil) throws -> AxisCalibration {
        let data: Data
        do { data = try Data(contentsOf: url) }
        catch { throw CubeFormatError(.io, file: url.lastPathComponent, field: "axis file", expected: "a readable file", found: "\(error.localizedDescription)") }
        if let text = String(data: data, encoding: .utf8), text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") {
            do {
                var a = try JSONDecoder().decode(AxisCalibration.self, from: data)
                a.unit = a.unit ?? unit
                return a
            } catch {
                throw CubeFormatError(.invalidHeader, file: url.lastPathComponent, field: "axis file",
                                      expected: #"{"start": S, "step": D, "unit": U} or {"values": [...], "unit": U}"#, found: "\(error)")
            }
        }
        let words = String(decoding: data, as: UTF8.self)
            .split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        let numbers = words.map { Double($0) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else {
            throw CubeFormatError(.invalidHeader, file: url.lastPathComponent, field: "axis file",
                                  expected: "JSON, or numbers separated by commas, spaces or lines", found: "\(words.first { Double($0) == nil } ?? "nothing")")
        }
        return AxisCalibration(values: numbers.map { $0! }, unit: unit)
    }
}
