import Crypto
import Foundation
import Logging
@testable import CubeService

/// A responder made of two closures.
struct TestResponder: HTTPResponder {
    var precheckHandler: @Sendable (HTTPRequestHead) -> HTTPResponse? = { _ in nil }
    var handler: @Sendable (HTTPRequest) -> HTTPResponderResult

    /// Refuses with `precheckHandler`'s response, else accepts bodies up to `bodyLimit`.
    var bodyLimit: Int64 = .max
    func precheck(_ head: HTTPRequestHead) -> HTTPAdmission {
        precheckHandler(head).map { .refuse($0) } ?? .accept(bodyLimit: bodyLimit)
    }
    func respond(to request: HTTPRequest) -> HTTPResponderResult { handler(request) }
}

/// What the echo responder reports about a request.
struct EchoBody: Codable {
    var kind: String
    var size: Int64
    var sha256: String
    var text: String?
    var fileExists: Bool?
}

struct EchoPart: Codable {
    var name: String
    var filename: String?
    var contentType: String?
    var body: EchoBody
}

struct Echo: Codable {
    var method: String
    var path: String
    var query: [String: String]
    var queryOrder: [String]
    var remote: String
    var header: String?
    var body: EchoBody
    var parts: [EchoPart]
}

func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

func echoBody(_ body: HTTPBody) -> EchoBody {
    switch body {
    case .none:
        return EchoBody(kind: "none", size: 0, sha256: sha256Hex(Data()))
    case .data(let data):
        return EchoBody(kind: "data", size: Int64(data.count), sha256: sha256Hex(data),
                        text: data.count <= 4096 ? String(decoding: data, as: UTF8.self) : nil)
    case .file(let file):
        return EchoBody(kind: "file", size: file.size, sha256: file.sha256Hex,
                        fileExists: FileManager.default.fileExists(atPath: file.url.path))
    }
}

/// Echoes the request as JSON; `/private/...` needs `Authorization: Bearer secret` (401 at
/// precheck otherwise).
func echoResponder() -> TestResponder {
    TestResponder(precheckHandler: { head in
        if head.path.hasPrefix("/private"), head.headers["authorization"] != "Bearer secret" {
            return .problem(ProblemDetails(status: 401, code: "unauthorized", title: "Unauthorized",
                                           detail: "A bearer token is required."),
                            headers: [("WWW-Authenticate", "Bearer")])
        }
        return nil
    }, handler: { request in
        let echo = Echo(method: request.head.method, path: request.head.path, query: request.head.query,
                        queryOrder: request.head.queryItems.map { "\($0.0)=\($0.1)" },
                        remote: request.head.remoteAddress, header: request.head.headers["x-test"],
                        body: echoBody(request.body),
                        parts: request.parts.map { EchoPart(name: $0.name, filename: $0.filename,
                                                            contentType: $0.contentType, body: echoBody($0.body)) })
        let status = request.head.method == "POST" ? 201 : 200
        return .immediate(.json(echo, status: status))
    })
}

/// Runs `body` against a started server on 127.0.0.1, port 0, with its own upload directory;
/// stops the server and removes the directory afterwards.
func withServer<T>(_ responder: any HTTPResponder = echoResponder(),
                   configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                   _ body: (HTTPServer, HTTPServerConfiguration) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, uploadDirectory: directory)
        configure(&configuration)
        var logger = Logger(label: "http-test")
        logger.logLevel = .warning
        let server = try HTTPServer(configuration: configuration, responder: responder, logger: logger)
        try server.start()
        defer { server.stop() }
        return try await body(server, configuration)
    }
}

/// Files currently in `directory` (names).
func filesIn(_ directory: URL) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
}

/// Polls `condition` every 10 ms for up to `seconds`; returns its last value.
func eventually(within seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return condition()
}

/// Resident set size of this process in bytes (Linux /proc), 0 elsewhere.
func residentBytes() -> Int64 {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let digits = line.split(separator: " ").dropFirst().first.flatMap { Int64($0) } ?? 0
        return digits * 1024
    }
    return 0
}

/// Deterministic pseudo-random bytes (xorshift), so uploads are not trivially compressible.
func patternData(count: Int, seed: UInt64) -> Data {
    var state = seed | 1
    var data = Data(count: count)
    data.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt8.self)
        var i = 0
        while i < count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            var value = state
            for _ in 0..<8 where i < count {
                words[i] = UInt8(truncatingIfNeeded: value)
                value >>= 8
                i += 1
            }
        }
    }
    return data
}
