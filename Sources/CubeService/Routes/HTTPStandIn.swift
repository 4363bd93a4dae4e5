// STAND-IN: delete this file when merging the `http` branch (Sources/CubeService/HTTP/ holds
// the real declarations). Only the type declarations the routes code against, per the
// agreed API; no server behaviour lives here.
import Foundation
import Logging

public struct HTTPRequestHead: Sendable {
    public var method: String
    public var path: String
    public var queryItems: [(String, String)]
    public var headers: [String: String]
    public var remoteAddress: String
    public var contentLength: Int64?
    public init(method: String, path: String, queryItems: [(String, String)] = [], headers: [String: String] = [:],
                remoteAddress: String = "", contentLength: Int64? = nil) {
        self.method = method; self.path = path; self.queryItems = queryItems; self.headers = headers
        self.remoteAddress = remoteAddress; self.contentLength = contentLength
    }
    public var query: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in queryItems where result[key] == nil { result[key] = value }
        return result
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
    public init(status: Int = 200, headers: [(String, String)] = [], body: ResponseBody = .empty) {
        self.status = status; self.headers = headers; self.body = body
    }
    public static func problem(_ problem: ProblemDetails, headers: [(String, String)] = []) -> HTTPResponse {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let data = (try? e.encode(problem)) ?? Data()
        return HTTPResponse(status: problem.status, headers: [("Content-Type", "application/problem+json")] + headers, body: .data(data))
    }
}

public struct ProblemDetails: Error, Codable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var instance: String?
    public init(status: Int, code: String, title: String, detail: String, type: String? = nil, instance: String? = nil) {
        self.type = type ?? "urn:cubeseg:problem:\(code)"
        self.title = title; self.status = status; self.detail = detail; self.code = code; self.instance = instance
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
    public var threads: Int
    public var connectionTimeout: Int
    public var connectionLimit: Int
    public var perIPConnectionLimit: Int
    public var maxBodyBytes: Int64
    public var maxInMemoryBody: Int
    public var uploadDirectory: URL
    public var tlsCertificatePEM: String?
    public var tlsKeyPEM: String?
    public init(host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2, connectionTimeout: Int = 60,
                connectionLimit: Int = 1024, perIPConnectionLimit: Int = 64, maxBodyBytes: Int64 = 64 << 30,
                maxInMemoryBody: Int = 1 << 20, uploadDirectory: URL, tlsCertificatePEM: String? = nil, tlsKeyPEM: String? = nil) {
        self.host = host; self.port = port; self.threads = threads; self.connectionTimeout = connectionTimeout
        self.connectionLimit = connectionLimit; self.perIPConnectionLimit = perIPConnectionLimit
        self.maxBodyBytes = maxBodyBytes; self.maxInMemoryBody = maxInMemoryBody; self.uploadDirectory = uploadDirectory
        self.tlsCertificatePEM = tlsCertificatePEM; self.tlsKeyPEM = tlsKeyPEM
    }
}

public final class HTTPServer: @unchecked Sendable {
    public let configuration: HTTPServerConfiguration
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) throws {
        self.configuration = configuration
    }
    public func start() throws {}
    public var port: Int { configuration.port }
    public func stopAccepting() {}
    public func stop() {}
}
