import Crypto
import Foundation
import Testing
@testable import CubeService

@Suite("HTTP front: requests and responses")
struct HTTPRoundTripTests {
    @Test("GET, POST and DELETE round trip with decoded path, ordered query and lowercased headers")
    func roundTrips() async throws {
        try await withServer { server, _ in
            let client = try HTTPTestClient(port: server.port)
            let get = try client.request("GET", "/v1/cubes/a%20b?x=1&y=two%20words&x=3&flag", headers: [("X-Test", "hello")])
            #expect(get.status == 200)
            #expect(get.headers["content-type"] == "application/json")
            let echo = try JSONDecoder().decode(Echo.self, from: get.body)
            #expect(echo.method == "GET")
            #expect(echo.path == "/v1/cubes/a b")
            #expect(echo.query == ["x": "1", "y": "two words", "flag": ""])
            #expect(echo.queryOrder == ["x=1", "y=two words", "x=3", "flag="])
            #expect(echo.header == "hello")
            #expect(echo.remote == "127.0.0.1")
            #expect(echo.body.kind == "none")

            // Same keep-alive connection.
            let post = try client.request("POST", "/v1/jobs", body: Data("hi".utf8))
            #expect(post.status == 201)
            #expect(try JSONDecoder().decode(Echo.self, from: post.body).body.text == "hi")
            let delete = try client.request("DELETE", "/v1/jobs/7")
            #expect(delete.status == 200)
            #expect(try JSONDecoder().decode(Echo.self, from: delete.body).method == "DELETE")
            #expect(await eventually { server.metrics.requestsByStatusClass[1] >= 3 })
        }
    }

    @Test("a small JSON body stays in memory and leaves no file behind")
    func jsonBodyInMemory() async throws {
        try await withServer { server, configuration in
            let json = Data(#"{"cube_id":"abc","params":{"seed":7}}"#.utf8)
            let response = try HTTPTestClient(port: server.port)
                .request("POST", "/v1/jobs", headers: [("Content-Type", "application/json")], body: json)
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.body.kind == "data")
            #expect(echo.body.text == String(decoding: json, as: UTF8.self))
            #expect(filesIn(configuration.uploadDirectory).isEmpty)
        }
    }

    @Test("a file body is served from disk with its content type")
    func fileResponse() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("labels.npy")
            let content = patternData(count: 300_000, seed: 3)
            try content.write(to: file)
            let responder = TestResponder { request in
                request.head.path == "/missing"
                    ? .immediate(HTTPResponse(body: .file(directory.appendingPathComponent("nope"), contentType: "x/y")))
                    : .immediate(HTTPResponse(body: .file(file, contentType: "application/octet-stream")))
            }
            try await withServer(responder) { server, _ in
                let client = try HTTPTestClient(port: server.port)
                let response = try client.request("GET", "/labels.npy")
                #expect(response.status == 200)
                #expect(response.headers["content-type"] == "application/octet-stream")
                #expect(response.body == content)
                let missing = try client.request("GET", "/missing")
                #expect(missing.status == 500)
                #expect(missing.headers["content-type"] == "application/problem+json")
            }
        }
    }

    @Test("precheck refuses with a 401 problem before the body is read")
    func precheckUnauthorized() async throws {
        try await withServer { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            // Announce a large body but never send it: the answer must come from the headers alone.
            try client.sendHead("POST", "/private/cubes", headers: [("Content-Length", "100000000")])
            let response = try client.readResponse()
            #expect(response.status == 401)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(response.headers["www-authenticate"] == "Bearer")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: response.body)
            #expect(problem.code == "unauthorized")
            #expect(problem.status == 401)
            #expect(filesIn(configuration.uploadDirectory).isEmpty)

            let allowed = try HTTPTestClient(port: server.port)
                .request("GET", "/private/cubes", headers: [("Authorization", "Bearer secret")])
            #expect(allowed.status == 200)
        }
    }

    @Test("a problem encodes the RFC 9457 members, the code and extensions at the top level")
    func problemEncoding() throws {
        let problem = ProblemDetails(status: 413, code: "body_too_large", title: "Content Too Large",
                                     detail: "too big", extensions: ["max_bytes": .int(10)])
        let response = HTTPResponse.problem(problem)
        #expect(response.status == 413)
        #expect(response.header("content-type") == "application/problem+json")
        guard case .data(let data) = response.body else {
            Issue.record("problem body is not data")
            return
        }
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        #expect(object["status"] as? Int == 413)
        #expect(object["code"] as? String == "body_too_large")
        #expect(object["type"] as? String == "urn:cubeseg:problem:body_too_large")
        #expect(object["max_bytes"] as? Int == 10)
        let decoded = try JSONDecoder().decode(ProblemDetails.self, from: data)
        #expect(decoded.extensions["max_bytes"] == .int(10))
    }

    @Test("a Content-Digest header yields the declared SHA-256 to compare with the body's")
    func contentDigest() {
        let data = Data("cube bytes".utf8)
        let base64 = Data(SHA256.hash(data: data)).base64EncodedString()
        let head = HTTPRequestHead(method: "PUT", path: "/v1/cubes",
                                   headers: ["content-digest": "md5=:AAAA:, sha-256=:\(base64):"])
        #expect(head.declaredSHA256Hex == HTTPBody.data(data).sha256Hex)
        #expect(head.declaredSHA256Hex == sha256Hex(data))
        #expect(HTTPRequestHead(method: "PUT", path: "/", headers: ["content-digest": "sha-256=:bm9wZQ==:"]).declaredSHA256Hex == nil)
        #expect(HTTPRequestHead(method: "PUT", path: "/").declaredSHA256Hex == nil)
    }

    @Test("invalid configurations are rejected with the field that is wrong")
    func invalidConfiguration() {
        let responder = echoResponder()
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: HTTPServerConfiguration(port: 70000), responder: responder, logger: .init(label: "t"))
        }
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: HTTPServerConfiguration(threads: 0), responder: responder, logger: .init(label: "t"))
        }
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: HTTPServerConfiguration(tlsCertificatePEM: "x"), responder: responder, logger: .init(label: "t"))
        }
    }
}
