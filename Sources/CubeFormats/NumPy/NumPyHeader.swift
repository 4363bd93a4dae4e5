/// The header of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0), parsed from bytes
/// without any file I/O.
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, the header length (2 bytes
/// little endian in v1, 4 bytes in v2/v3), then a Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (6, 5, 16), }` (latin-1 in v1/v2,
/// UTF-8 in v3). The data follows at `dataOffset`.
public struct NumPyHeader: Sendable, Equatable {
    public var majorVersion: Int
    public var minorVersion: Int
    /// Byte offset of the first element.
    public var dataOffset: Int
    /// The `descr` string as written, e.g. `<f4`.
    public var descr: String
    public var dataType: CubeDataType
    public var byteOrder: ByteOrder
    /// True when the array is stored column major (first index fastest).
    public var fortranOrder: Bool
    public var shape: [Int]

    /// Largest header NumPy itself accepts by default, and a guard against absurd lengths.
    static let maximumHeaderLength = 1 << 20

    /// Parses the header at the start of `bytes` (the header alone is enough; data may follow).
    /// Throws `CubeFormatError` (file `<bytes>`) naming the field at fault.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> NumPyHeader {
        let b = Array(bytes.prefix(12))
        func fail(_ field: String, _ expected: String, _ found: String) -> CubeFormatError {
            CubeFormatError(.invalidHeader, file: "<bytes>", field: field, expected: expected, found: found)
        }
        let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
        guard b.count >= 10, Array(b[0..<6]) == magic else {
            throw fail("magic", "\\x93NUMPY", b.count < 6 ? "\(b.count) bytes" : String(describing: Array(b.prefix(6))))
        }
        let major = Int(b[6]), minor = Int(b[7])
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw fail("version", "1.0, 2.0 or 3.0", "\(major).\(minor)")
        }
        guard b.count >= 8 + lengthBytes else { throw fail("header length", "\(lengthBytes) bytes", "end of data") }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(b[8 + i]) << (8 * i) }
        guard headerLength <= maximumHeaderLength else {
            throw fail("header length", "at most \(maximumHeaderLength) bytes", "\(headerLength)")
        }
        let start = 8 + lengthBytes
        let headerBytes = Array(bytes.dropFirst(start).prefix(headerLength))
        guard headerBytes.count == headerLength else {
            throw fail("header", "\(headerLength) bytes", "\(headerBytes.count) (truncated)")
        }
        let text: String
        if major == 3 {
            guard let s = String(validating: headerBytes, as: UTF8.self) else { throw fail("header", "UTF-8 text", "invalid UTF-8") }
            text = s
        } else {
            text = String(decoding: headerBytes.map { $0 }, as: Unicode.ASCII.self)  // latin-1 keys are ASCII
            guard headerBytes.allSatisfy({ $0 < 0x80 }) else { throw fail("header", "ASCII text", "non-ASCII bytes") }
        }
        let dict: [String: PythonLiteral]
        do {
            var parser = PythonLiteralParser(Array(text.unicodeScalars))
            guard case .dict(let d) = try parser.parseTopLevel() else { throw fail("header", "a dict literal", text) }
            dict = d
        } catch let e as PythonLiteralParser.Failure {
            throw fail("header", "a Python dict literal", "\(e.message) at character \(e.position)")
        }
        guard case .string(let descr)? = dict["descr"] else {
            if let d = dict["descr"] { throw CubeFormatError(.unsupported, file: "<bytes>", field: "descr", expected: "a simple numeric dtype", found: "structured dtype \(d)") }
            throw fail("descr", "a dtype string such as '<f4'", "no 'descr' key")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw fail("fortran_order", "True or False", dict["fortran_order"].map { "\($0)" } ?? "no 'fortran_order' key")
        }
        guard case .tuple(let items)? = dict["shape"] else {
            throw fail("shape", "a tuple of integers", dict["shape"].map { "\($0)" } ?? "no 'shape' key")
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let n) = item, n >= 0 else { throw fail("shape", "non-negative integers", "\(item)") }
            shape.append(n)
        }
        let (type, order) = try dtype(descr)
        return NumPyHeader(majorVersion: major, minorVersion: minor, dataOffset: start + headerLength, descr: descr,
                           dataType: type, byteOrder: order, fortranOrder: fortran, shape: shape)
    }

    /// Maps a NumPy type string (`<f4`, `>u2`, `|u1`, `|b1`, `=i8`) to a type and byte order.
    static func dtype(_ descr: String) throws -> (CubeDataType, ByteOrder) {
        let chars = Array(descr)
        func unsupported(_ why: String) -> CubeFormatError {
            CubeFormatError(.unsupported, file: "<bytes>", field: "descr",
                            expected: "a numeric dtype among b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8", found: "'\(descr)'\(why)")
        }
        guard chars.count >= 2 else { throw unsupported("") }
        var order = ByteOrder.native
        var body = Substring(descr)
        switch chars[0] {
        case "<": order = .little; body = body.dropFirst()
        case ">": order = .big; body = body.dropFirst()
        case "|", "=": body = body.dropFirst()
        default: break
        }
        let types: [String: CubeDataType] = [
            "b1": .bool, "?": .bool, "i1": .int8, "u1": .uint8, "i2": .int16, "u2": .uint16, "i4": .int32, "u4": .uint32,
            "i8": .int64, "u8": .uint64, "f2": .float16, "f4": .float32, "f8": .float64,
        ]
        guard let t = types[String(body)] else {
            if body.hasPrefix("c") { throw unsupported(" (complex values)") }
            if body.hasPrefix("f") { throw unsupported(" (extended precision)") }
            throw unsupported("")
        }
        return (t, order)
    }
}
