import CubeFormats
import CubeML
import Foundation

/// Reading query strings, JSON bodies and job parameters, with 400s that say what is wrong.
enum RequestParsing {
    /// `limit` (1...200, default 50).
    static func limit(_ query: [String: String]) throws -> Int {
        guard let s = query["limit"] else { return 50 }
        guard let n = Int(s), (1...200).contains(n) else { throw APIError.badRequest("invalid_query", "limit must be an integer in 1...200, not \"\(s)\"") }
        return n
    }

    /// The body as bytes (JSON routes); empty when there is none.
    static func bodyData(_ body: HTTPBody) throws -> Data {
        switch body {
        case .none: return Data()
        case .data(let d): return d
        case .file(let f):
            do { return try Data(contentsOf: f.url) }
            catch { throw APIError.internalError("cannot read the request body: \(error)") }
        }
    }

    /// A JSON object, or 400 `invalid_json`. Parsed with `JSONDecoder` into `JSONValue` so
    /// that numbers and booleans keep their JSON types.
    static func jsonObject(_ data: Data) throws -> [String: JSONValue] {
        guard !data.isEmpty else { throw APIError.badRequest("invalid_json", "the body is empty; send a JSON object") }
        guard let value = JSONValue(data: data), case .object(let object) = value else {
            throw APIError.badRequest("invalid_json", "the body is not a JSON object")
        }
        return object
    }

    /// An optional string field.
    static func string(_ object: [String: JSONValue], _ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw APIError.badRequest("invalid_field", "\(key) must be a string")
        }
    }

    /// Every key `SegmentationParameters` reads (its snake_case coding keys).
    static let parameterKeys: Set<String> = SegmentationParameters.names

    /// Decodes job parameters from a JSON value (an object or null), rejecting unknown keys
    /// and out-of-range values. Returns the parameters and their full canonical JSON.
    static func parameters(_ value: JSONValue?) throws -> (SegmentationParameters, Data) {
        var object: [String: JSONValue] = [:]
        switch value {
        case nil, .null?: break
        case .object(let o)?: object = o
        default: throw APIError.badRequest("invalid_parameter", "params must be a JSON object")
        }
        let unknown = Set(object.keys).subtracting(parameterKeys)
        if !unknown.isEmpty {
            throw APIError.badRequest("unknown_parameter", "unknown parameter(s) \(unknown.sorted().joined(separator: ", ")); known: \(parameterKeys.sorted().joined(separator: ", "))")
        }
        let p: SegmentationParameters
        do {
            p = try decodeParameters(object)
        } catch let e as DecodingError {
            // Name the first parameter that does not decode alone, and what it takes.
            for key in object.keys.sorted() where (try? decodeParameters([key: object[key]!])) == nil {
                throw APIError.badRequest("invalid_parameter", "params.\(key) = \(render(object[key]!)) is not \(expectedKind(of: key))")
            }
            throw APIError.badRequest("invalid_parameter", "params: \(describe(e))")
        } catch {
            throw APIError.badRequest("invalid_parameter", "params: \(error)")
        }
        try validate(p)
        return (p, try canonicalJSON(p))
    }

    private static func decodeParameters(_ object: [String: JSONValue]) throws -> SegmentationParameters {
        try JSONDecoder().decode(SegmentationParameters.self, from: try JSONEncoder().encode(object))
    }

    /// What a parameter takes, found by offering it sample values (so it follows the type in
    /// `SegmentationParameters`, not a list kept here).
    static func expectedKind(of key: String) -> String {
        func takes(_ v: JSONValue) -> Bool { (try? decodeParameters([key: v])) != nil }
        if takes(.number(0.5)) { return "a number" }
        if takes(.integer(-1)) { return "an integer" }
        if takes(.integer(1)) { return "a whole number >= 0 (within 64 bits)" }
        if takes(.bool(true)) { return "true or false" }
        return "a valid value (see GET /openapi.yaml, JobParameters)"
    }

    private static func render(_ v: JSONValue) -> String {
        guard let data = try? JSONEncoder().encode(v), let text = String(data: data, encoding: .utf8) else { return "this value" }
        return text.count > 40 ? String(text.prefix(40)) + "..." : text
    }

    /// Every parameter, sorted, with explicit nulls: the synthesized encoder leaves nil
    /// optionals out, and decoding would then give them their non-nil defaults (`bins`:
    /// null would come back as 1024).
    static func canonicalJSON(_ p: SegmentationParameters) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(p)) as? [String: Any] ?? [:]
        for key in parameterKeys where object[key] == nil { object[key] = NSNull() }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// The engine's parameter checks (`SegmentationParameters.validate`), so that a bad job
    /// is refused now rather than failed minutes later.
    static func validate(_ p: SegmentationParameters) throws {
        do { try p.validate() }
        catch { throw APIError.badRequest("invalid_parameter", "\(error)") }
    }

    static func describe(_ e: DecodingError) -> String {
        switch e {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        case let .keyNotFound(k, _): return "missing \(k.stringValue)"
        @unknown default: return "\(e)"
        }
    }

    /// The fields of `CubeOpenRequest` by their names, as query parameters or form fields.
    static let openFields: [String] = CubeOpenRequest.fieldNames

    /// 400 `unknown_query_parameter` for a query key not in `known`, so that a misspelt
    /// option (`dtpye`) is not silently ignored.
    static func rejectUnknown(_ query: [String: String], known: Set<String>) throws {
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("unknown_query_parameter",
                                      "unknown query parameter \"\(unknown)\"; this route takes \(known.sorted().joined(separator: ", "))")
        }
    }

    /// Reader options from query parameters (or multipart fields) `format`, `shape`
    /// (`H,W,C` or `HxWxC`), `dtype`, `byte_order`, `interleave`, `header_offset`, `dataset`,
    /// `fits_extension`, `axis_start`, `axis_step`, `axis_unit`; checked by `CubeOpenRequest.options` (415 for an unknown format,
    /// 400 naming the field otherwise).
    static func openRequest(_ fields: [String: String]) throws -> CubeOpenRequest {
        func value(_ key: String) -> String? { fields[key].flatMap { $0.isEmpty ? nil : $0 } }
        var r = CubeOpenRequest(format: value("format")?.lowercased(), dtype: value("dtype")?.lowercased(),
                                byteOrder: value("byte_order")?.lowercased(), interleave: value("interleave")?.lowercased(),
                                dataset: value("dataset"), fitsExtension: value("fits_extension"))
        if let s = value("shape") {
            let dims = s.split(whereSeparator: { $0 == "," || $0 == "x" || $0 == "X" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard dims.count == 3, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw APIError.badRequest("invalid_query", "shape must be height,width,channels (positive integers), not \"\(s)\"")
            }
            r.shape = dims.map { $0! }
        }
        for key in ["axis_start", "axis_step"] {
            guard let s = value(key) else { continue }
            guard let v = Double(s), v.isFinite else { throw APIError.badRequest("invalid_query", "\(key) must be a number, not \"\(s)\"") }
            if key == "axis_start" { r.axisStart = v } else { r.axisStep = v }
        }
        r.axisUnit = value("axis_unit")
        if let s = value("header_offset") {
            guard let n = Int(s), n >= 0 else { throw APIError.badRequest("invalid_query", "header_offset must be a number of bytes >= 0, not \"\(s)\"") }
            r.headerOffset = n
        }
        do { _ = try r.options() } catch {
            if error.field == "format" { throw APIError.unsupportedMediaType("unknown_format", "format \(error.reason)") }
            throw APIError.badRequest("invalid_query", error.description)
        }
        return r
    }
}
