import Foundation

/// The request line and headers, available before any body byte is read.
public struct HTTPRequestHead: Sendable {
    /// Upper-case method as sent (`GET`, `POST`, ...).
    public var method: String
    /// Path without the query, percent-decoded by libmicrohttpd (`/v1/cubes/abc`).
    public var path: String
    /// Query arguments in order, percent- and plus-decoded; a key without `=` has value "".
    public var queryItems: [(String, String)]
    /// Header fields, names lowercased; a repeated header keeps its first value.
    public var headers: [String: String]
    /// Client address without the port (`127.0.0.1`, `::1`).
    public var remoteAddress: String
    /// `Content-Length` when the client sent one (absent for chunked bodies).
    public var contentLength: Int64?

    public init(method: String, path: String, queryItems: [(String, String)] = [],
                headers: [String: String] = [:], remoteAddress: String = "",
                contentLength: Int64? = nil) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.contentLength = contentLength
    }

    /// Query arguments by name; the first value wins when a name repeats.
    public var query: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in queryItems where result[key] == nil { result[key] = value }
        return result
    }

    /// The media type of `Content-Type` without parameters, lowercased (`multipart/form-data`).
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The SHA-256 a client declared with RFC 9530 `Content-Digest: sha-256=:<base64>:`, as
    /// lowercase hex, to compare with `HTTPBody.sha256Hex`; nil when absent or malformed.
    public var declaredSHA256Hex: String? {
        guard let header = headers["content-digest"] else { return nil }
        for member in header.split(separator: ",") {
            let parts = member.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "sha-256" else { continue }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            guard value.count > 2, value.hasPrefix(":"), value.hasSuffix(":"),
                  let bytes = Data(base64Encoded: String(value.dropFirst().dropLast())), bytes.count == 32 else { return nil }
            return bytes.map { String(format: "%02x", $0) }.joined()
        }
        return nil
    }

    /// True for a `Transfer-Encoding: chunked` body.
    public var isChunked: Bool {
        headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false
    }
}
