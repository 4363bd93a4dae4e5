/// A Lispix ripple (`.rpl`) header, parsed from text without any file I/O.
///
/// One `key<TAB>value` per line (spaces also separate; Oxford INCA's `(MLX::key : value)`
/// lines are accepted), `;` starts a comment, keys are case-insensitive. The data lives
/// in a `.raw` file: `width x height` pixels of `depth` channels, `data-length` bytes
/// each, `record-by vector` (pixel-major) or `image` (channel planes), from `offset`.
public struct RPLHeader: Sendable, Equatable {
    /// Every field, keyed by lowercased name.
    public var fields: [String: String]
    public var width: Int
    public var height: Int
    public var depth: Int
    public var offset: Int
    public var dataType: CubeDataType
    public var byteOrder: ByteOrder
    /// `.bip` for `record-by vector`, `.bsq` for `image`.
    public var interleave: Interleave

    static let maximumLength = 1 << 20

    public static func parse(_ text: String) throws -> RPLHeader {
        func fail(_ field: String, _ expected: String, _ found: String, kind: CubeFormatError.Kind = .invalidHeader) -> CubeFormatError {
            CubeFormatError(kind, file: "<bytes>", field: field, expected: expected, found: found)
        }
        guard text.utf8.count <= maximumLength else { throw fail("header", "at most \(maximumLength) bytes", "\(text.utf8.count)") }
        let fields = parseFields(text)
        func integer(_ key: String, default value: Int? = nil) throws -> Int {
            guard let raw = fields[key] else {
                if let value { return value }
                throw fail(key, "an integer", "no '\(key)' field")
            }
            guard let n = Int(raw) else { throw fail(key, "an integer", "'\(raw.prefix(40))'") }
            return n
        }
        let width = try integer("width"), height = try integer("height"), depth = try integer("depth")
        let offset = try integer("offset", default: 0)
        guard offset >= 0 else { throw fail("offset", "a non-negative integer", "\(offset)") }
        let length = try integer("data-length")
        let kind = (fields["data-type"] ?? "").lowercased()
        let types: [String: CubeDataType] = [
            "signed1": .int8, "signed2": .int16, "signed4": .int32, "signed8": .int64,
            "unsigned1": .uint8, "unsigned2": .uint16, "unsigned4": .uint32, "unsigned8": .uint64,
            "float2": .float16, "float4": .float32, "float8": .float64,
        ]
        guard let type = types["\(kind)\(length)"] else {
            throw fail("data-type/data-length", "signed or unsigned with 1, 2, 4, 8 bytes, or float with 4 or 8",
"'\(kind.prefix(40))' with \(length) bytes", kind: .unsupported)
        }
        let orderText = (fields["byte-order"] ?? "dont-care").lowercased()
        let order: ByteOrder
        switch orderText {
        case "little-endian": order = .little
        case "big-endian": order = .big
        case "dont-care": order = .native  // what rosettasciio writes for native-order data, and reads as such
        default: throw fail("byte-order", "little-endian, big-endian or dont-care", "'\(orderText.prefix(40))'")
        }
        let recordText = (fields["record-by"] ?? "dont-care").lowercased()
        let interleave: Interleave
        switch recordText {
        case "vector": interleave = .bip
        case "image": interleave = .bsq
        case "dont-care":
            guard depth == 1 else { throw fail("record-by", "vector or image when depth > 1", "dont-care") }
            interleave = .bip
        default: throw fail("record-by", "vector, image or dont-care", "'\(recordText.prefix(40))'")
        }
        return RPLHeader(fields: fields, width: width, height: height, depth: depth, offset: offset,
                         dataType: type, byteOrder: order, interleave: interleave)
    }

    /// Lowercased key to value; the `key value` title line and comments are dropped.
    static func parseFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if let semicolon = line.firstIndex(of: ";") { line = line[..<semicolon] }
            if line.hasPrefix("(MLX::") {  // Oxford INCA: (MLX::key : value)
                line = line.dropFirst(6)
                if line.hasSuffix(")") { line = line.dropLast() }
                if let colon = line.firstIndex(of: ":") {
                    let key = line[..<colon].trimmingCharacters().lowercased()
                    fields[key] = line[line.index(after: colon)...].trimmingCharacters()
                }
                continue
            }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == "\t" || $0 == " " })
            guard let keyPart = parts.first else { continue }
            let key = keyPart.trimmingCharacters().lowercased()
            if key.isEmpty || key == "key" { continue }
            fields[key] = parts.count > 1 ? parts[1].trimmingCharacters() : ""
        }
        return fields
    }

    /// The spectral axis the header describes: HyperSpy's `depth-origin/-scale/-units`,
    /// else Lispix `ev-per-chan` (eV, from 0), else channel index.
    public func axis() -> SpectralAxis {
        if let scaleText = fields["depth-scale"], let scale = Double(scaleText), scale != 0, scale.isFinite {
            let origin = fields["depth-origin"].flatMap(Double.init) ?? 0
            let values = (0..<depth).map { origin + Double($0) * scale }
            let units = fields["depth-units"]
            return SpectralUnitName.axis(values: values, unitName: units == "<undefined>" ? nil : units)
        }
        if let text = fields["ev-per-chan"], let step = Double(text), step > 0, step.isFinite {
            return .linear(count: depth, start: 0, step: step, unit: .eV, quantity: .energy)
        }
        return .channelIndex(depth)
    }
}
