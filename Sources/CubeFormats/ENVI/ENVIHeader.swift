/// An ENVI `.hdr` header, parsed from text without any file I/O.
///
/// The text starts with `ENVI`, then `key = value` lines; a value in braces `{...}` may span
/// lines. Keys are case-insensitive and stored lowercased with single spaces.
public struct ENVIHeader: Sendable, Equatable {
    /// Every field, keyed by lowercased name; brace values without their braces.
    public var fields: [String: String]
    public var samples: Int
    public var lines: Int
    public var bands: Int
    public var headerOffset: Int
    public var dataType: CubeDataType
    public var byteOrder: ByteOrder
    public var interleave: Interleave
    /// The `wavelength` list (one value per band) when present and complete.
    public var wavelengths: [Double]?
    /// `wavelength units` as written (`Nanometers`, `keV`, ...).
    public var wavelengthUnits: String?

    /// ENVI `data type` codes and the types CubeSeg reads; 6 and 9 (complex) are not read.
    static let dataTypes: [Int: CubeDataType] = [
        1: .uint8, 2: .int16, 3: .int32, 4: .float32, 5: .float64, 12: .uint16, 13: .uint32, 14: .int64, 15: .uint64,
    ]

    /// Largest header text accepted (real headers are a few KB; wavelength lists a few 100 KB).
    static let maximumLength = 16 << 20

    public static func parse(_ text: String) throws -> ENVIHeader {
        func fail(_ field: String, _ expected: String, _ found: String, kind: CubeFormatError.Kind = .invalidHeader) -> CubeFormatError {
            CubeFormatError(kind, file: "<bytes>", field: field, expected: expected, found: found)
        }
        guard text.utf8.count <= maximumLength else {
            throw fail("header", "at most \(maximumLength) bytes of text", "\(text.utf8.count) bytes")
        }
        let fields = try parseFields(text)

        func integer(_ key: String, default value: Int? = nil) throws -> Int {
            guard let raw = fields[key] else {
                if let value { return value }
                throw fail(key, "an integer", "no '\(key)' field")
            }
            guard let n = Int(raw.trimmingCharacters()) else { throw fail(key, "an integer", "'\(raw)'") }
            return n
        }
        let samples = try integer("samples"), lines = try integer("lines"), bands = try integer("bands")
        let offset = try integer("header offset", default: 0)
        guard offset >= 0 else { throw fail("header offset", "a non-negative integer", "\(offset)") }
        let code = try integer("data type")
        guard let type = dataTypes[code] else {
            throw fail("data type", "one of 1, 2, 3, 4, 5, 12, 13, 14, 15",
code == 6 || code == 9 ? "\(code) (complex)" : "\(code)", kind: .unsupported)
        }
        let orderCode = try integer("byte order", default: 0)
        guard orderCode == 0 || orderCode == 1 else { throw fail("byte order", "0 (little endian) or 1 (big endian)", "\(orderCode)") }
        let interleaveText = (fields["interleave"] ?? "bsq").trimmingCharacters().lowercased()
        guard let interleave = Interleave(rawValue: interleaveText) else {
            throw fail("interleave", "bsq, bil or bip", "'\(interleaveText)'")
        }
        var wavelengths: [Double]?
        if let list = fields["wavelength"] {
            let items = list.split(separator: ",").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
            let values = items.compactMap(Double.init)
            guard values.count == items.count else { throw fail("wavelength", "a list of numbers", "'\(list.prefix(80))'") }
            guard values.count == bands else { throw fail("wavelength", "\(bands) values (one per band)", "\(values.count)") }
            wavelengths = values
        }
        return ENVIHeader(fields: fields, samples: samples, lines: lines, bands: bands, headerOffset: offset,
                          dataType: type, byteOrder: orderCode == 0 ? .little : .big, interleave: interleave,
                          wavelengths: wavelengths, wavelengthUnits: fields["wavelength units"]?.trimmingCharacters())
    }

    /// `key = value` pairs of an ENVI header; brace values may span lines.
    static func parseFields(_ text: String) throws -> [String: String] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })[...]
        guard let first = lines.first, first.trimmingCharacters() == "ENVI" || first.hasPrefix("ENVI") else {
            throw CubeFormatError(.invalidHeader, file: "<bytes>", field: "first line", expected: "'ENVI'",
                                  found: "'\(lines.first.map { String($0.prefix(40)) } ?? "")'")
        }
        lines = lines.dropFirst()
        var fields: [String: String] = [:]
        while let line = lines.popFirst() {
            let trimmed = line.trimmingCharacters()
            if trimmed.isEmpty || trimmed.hasPrefix(";") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw CubeFormatError(.invalidHeader, file: "<bytes>", field: "line", expected: "'key = value'",
                                      found: "'\(trimmed.prefix(80))'")
            }
            let key = line[..<eq].split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ").lowercased()
            var value = String(line[line.index(after: eq)...]).trimmingCharacters()
            if value.hasPrefix("{") {
                var closed = value.contains("}")
                while !closed {
                    guard let next = lines.popFirst() else {
                        throw CubeFormatError(.invalidHeader, file: "<bytes>", field: key, expected: "a closing '}'",
                                              found: "end of header")
                    }
                    value += "\n" + next
                    closed = next.contains("}")
                }
                let open = value.index(after: value.startIndex)
                let close = value.lastIndex(of: "}")!
                value = open <= close ? String(value[open..<close]).trimmingCharacters() : ""
            }
            fields[key] = value
        }
        return fields
    }
}
