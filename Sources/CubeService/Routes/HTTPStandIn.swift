// STAND-IN: delete this file when merging the `http` branch (Sources/CubeService/HTTP/ holds
// the real declarations). Only the type declarations the routes code against, per the
// agreed API; no server behaviour lives here.
import Foundation
import Logging

public struct HTTPRequestHead: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]
    public var remoteAddress: String
    public var contentLength: Int64?
    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                remoteAddress: String = "127.0.0.1", contentLength: Int64? = nil) {
        self.method = method; self.path = path; self.query = query; self.headers = headers
        self.remoteAddress = remoteAddress; self.contentLength = contentLength
    }
}

public enum HTTPBody: Sendable {
    case none
    case data(Data)
    case file(StreamedFile)
}

public struct StreamedFile: Sendable {
    public let url: URL
    public let size: Int64
    public let sha256Hex: String
    public init(url: URL, size: Int64, sha256Hex: String) { self.url = url; self.size = size; self.sha256Hex = sha256Hex }
}

public struct MultipartPart: Sendable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: HTTPBody
    public init(name: String, filename: String? = nil, contentType: String? = nil, body: HTTPBody) {
        self.name = name; self.filename = filename; self.contentType = contentType; self.body = body
    }
}

public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: HTTPBody
    public var parts: [MultipartPart]
    public init(head: HTTPRequestHead, body: HTTPBody = .none, parts: [MultipartPart] = []) {
        self.head = head; self.body = body; self.parts = parts
    }
}

public enum ResponseBody: Sendable {
    case empty
    case data(Data)
    case file(URL, contentType: String)
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: ResponseBody
    public init(status: Int, headers: [(String, String)] = [], body: ResponseBody = .empty) {
        self.status = status; self.headers = headers; self.body = body
    }
    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> HTTPResponse {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        let data = (try? e.encode(value)) ?? Data("{}".utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: .data(data))
    }
    public static func problem(_ p: ProblemDetails) -> HTTPResponse {
        let data = (try? JSONEncoder().encode(p)) ?? Data()
        return HTTPResponse(status: p.status, headers: [("Content-Type", "application/problem+json")], body: .data(data))
    }
}

public struct ProblemDetails: Error, Codable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var code: String
    public var instance: String?
    public init(type: String = "about:blank", title: String, status: Int, detail: String? = nil, code: String, instance: String? = nil) {
        self.type = type; self.title = title; self.status = status; self.detail = detail; self.code = code; self.instance = instance
    }
}

public protocol HTTPResponder: Sendable {
    func precheck(_ head: HTTPRequestHead) -> HTTPResponse?
    func respond(to request: HTTPRequest) -> HTTPResponderResult
}

public enum HTTPResponderResult: Sendable {
    case immediate(HTTPResponse)
    case deferred(@Sendable () async -> HTTPResponse)
}

public struct HTTPServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
}

public final class HTTPServer: @unchecked Sendable {
    public let port: Int
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) throws {
        port = configuration.port
    }
    public func start() {}
    public func stopAccepting() {}
    public func stop() {}
}
