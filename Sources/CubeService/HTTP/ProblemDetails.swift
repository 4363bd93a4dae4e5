import Foundation

/// An RFC 9457 problem: served as `application/problem+json` with `type`, `title`, `status`,
/// `detail`, a stable machine-readable `code`, an optional `instance` and extension members.
/// Throwable, so a handler can throw it and one catch site answers with it.
public struct ProblemDetails: Error, Codable, Sendable, CustomStringConvertible {
    /// A JSON scalar carried as an extension member.
    public enum Value: Codable, Sendable, Equatable {
        case string(String), int(Int64), double(Double), bool(Bool)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Int64.self) { self = .int(value) }
            else if let value = try? container.decode(Double.self) { self = .double(value) }
            else { self = .string(try container.decode(String.self)) }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            }
        }
    }

    /// URI naming the problem type (defaults to `urn:cubeseg:problem:<code>`).
    public var type: String
    /// Short summary, the same for every occurrence of the type.
    public var title: String
    /// HTTP status code.
    public var status: Int
    /// Explanation of this occurrence, for a person.
    public var detail: String
    /// Stable identifier for programs (`body_too_large`, `unauthorized`, ...).
    public var code: String
    /// URI of this occurrence, when there is one.
    public var instance: String?
    /// Further members, encoded at the top level next to the standard ones.
    public var extensions: [String: Value]

    public init(status: Int, code: String, title: String, detail: String,
                type: String? = nil, instance: String? = nil, extensions: [String: Value] = [:]) {
        self.type = type ?? "urn:cubeseg:problem:\(code)"
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.instance = instance
        self.extensions = extensions
    }

    public var description: String { "\(status) \(code): \(detail)" }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let standardKeys: Set<String> = ["type", "title", "status", "detail", "code", "instance"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        type = try container.decodeIfPresent(String.self, forKey: Key("type")) ?? "about:blank"
        title = try container.decodeIfPresent(String.self, forKey: Key("title")) ?? ""
        status = try container.decode(Int.self, forKey: Key("status"))
        detail = try container.decodeIfPresent(String.self, forKey: Key("detail")) ?? ""
        code = try container.decodeIfPresent(String.self, forKey: Key("code")) ?? ""
        instance = try container.decodeIfPresent(String.self, forKey: Key("instance"))
        var extensions: [String: Value] = [:]
        for key in container.allKeys where !Self.standardKeys.contains(key.stringValue) {
            if let value = try? container.decode(Value.self, forKey: key) { extensions[key.stringValue] = value }
        }
        self.extensions = extensions
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key("type"))
        try container.encode(title, forKey: Key("title"))
        try container.encode(status, forKey: Key("status"))
        try container.encode(detail, forKey: Key("detail"))
        try container.encode(code, forKey: Key("code"))
        try container.encodeIfPresent(instance, forKey: Key("instance"))
        for (key, value) in extensions where !Self.standardKeys.contains(key) {
            try container.encode(value, forKey: Key(key))
        }
    }
}
