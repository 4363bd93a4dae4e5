import CubeFormats
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import CubeService

/// A few requests over a real socket on loopback (port 0), through the libmicrohttpd front.
@Suite(.serialized)
final class SocketTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }
    /// Generous: on a machine whose cores are busy (CI, a loaded laptop) a request may wait.
    let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = 300
        c.timeoutIntervalForResource = 600
        return URLSession(configuration: c)
    }()

    func start(tokens: [ServiceConfiguration.APIToken] = [alice, bob]) throws -> RunningService {
        try buildService(configuration: testConfiguration(dir, tokens: tokens), logger: quietLogger,
                         options: ServiceBuildOptions(engine: fakeEngine(), startWorkers: true, startHTTP: true))
    }

    func request(_ service: RunningService, _ method: String, _ path: String, token: String? = nil,
                 headers: [String: String] = [:], body: Data? = nil) async throws -> (Int, [String: String], Data) {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(service.port)\(path)")!)
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        r.httpBody = body
        let (data, response) = try await session.data(for: r)
        let http = response as! HTTPURLResponse
        var h: [String: String] = [:]
        for (k, v) in http.allHeaderFields { h[String(describing: k).lowercased()] = String(describing: v) }
        return (http.statusCode, h, data)
    }

    func json(_ d: Data) -> [String: Any] { (try? JSONSerialization.jsonObject(with: d) as? [String: Any]) ?? [:] }

    @Test func uploadSubmitPollAndFetchOverHTTP() async throws {
        let service = try start(); defer { service.shutdown() }
        let (npy, values) = makeCubeNpy()
        let (s1, h1, b1) = try await request(service, "POST", "/v1/cubes?name=halves", token: alice.token,
                                             headers: ["Content-Type": "application/octet-stream"], body: npy)
        #expect(s1 == 201)
        let cubeID = try #require(json(b1)["id"] as? String)
        #expect(h1["location"] == "/v1/cubes/\(cubeID)")
        #expect(json(b1)["sha256"] as? String == CryptoHelpers.sha256Hex(npy))
        let (s2, _, b2) = try await request(service, "POST", "/v1/jobs", token: alice.token, headers: ["Content-Type": "application/json"],
                                            body: try JSONSerialization.data(withJSONObject: ["cube_id": cubeID, "params": ["epochs": 1]]))
        #expect(s2 == 202)
        let jobID = try #require(json(b2)["id"] as? String)
        var state = ""
        for _ in 0..<50 where state != "succeeded" {
            let (_, _, b) = try await request(service, "GET", "/v1/jobs/\(jobID)?wait=1", token: alice.token)
            state = json(b)["state"] as? String ?? ""
        }
        #expect(state == "succeeded")
        let (s3, h3, b3) = try await request(service, "GET", "/v1/jobs/\(jobID)/results/labels.npy", token: alice.token)
        #expect(s3 == 200)
        #expect(h3["content-type"] == "application/octet-stream")
        #expect(b3 == NumPyWriter.encode(fakeLabels(Datacube(height: 6, width: 8, channels: 5, values: values)), shape: [6, 8]))
        let (s4, h4, _) = try await request(service, "GET", "/v1/jobs/\(jobID)", token: alice.token)
        #expect(s4 == 200)
        let (s5, _, _) = try await request(service, "GET", "/v1/jobs/\(jobID)", token: alice.token, headers: ["If-None-Match": h4["etag"] ?? ""])
        #expect(s5 == 304)
        #expect(try await request(service, "GET", "/v1/jobs/\(jobID)", token: bob.token).0 == 404)
    }

    @Test func aMultipartJobOverHTTP() async throws {
        let service = try start(); defer { service.shutdown() }
        let boundary = "cubeseg-test-boundary"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"cube\"; filename=\"halves.npy\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(makeCubeNpy().0)
        body.append(Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"params\"\r\n\r\n{\"epochs\": 1}\r\n--\(boundary)--\r\n".utf8))
        let (status, headers, data) = try await request(service, "POST", "/v1/jobs", token: alice.token,
                                                        headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
        #expect(status == 202)
        #expect(headers["location"]?.hasPrefix("/v1/jobs/") == true)
        #expect(json(data)["cube_id"] != nil)
    }

    @Test func errorsOverHTTPAreProblemDetails() async throws {
        let service = try start(); defer { service.shutdown() }
        let (s1, h1, b1) = try await request(service, "GET", "/v1/jobs")
        #expect(s1 == 401)
        #expect(h1["content-type"] == "application/problem+json")
        #expect(json(b1)["code"] as? String == "unauthorized")
        #expect(try await request(service, "PATCH", "/v1/jobs", token: alice.token).0 == 405)
        #expect(try await request(service, "POST", "/v1/jobs", token: alice.token, headers: ["Content-Type": "text/plain"], body: Data("x".utf8)).0 == 415)
        #expect(try await request(service, "GET", "/healthz").0 == 200)
        let admin = try start(tokens: [CubeServiceTests.admin])
        defer { admin.shutdown() }
        let (s2, _, metrics) = try await request(admin, "GET", "/metrics", token: CubeServiceTests.admin.token)
        #expect(s2 == 200)
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(text.contains("cubeseg_http_in_flight_requests 1"))
        #expect(text.contains("cubeseg_http_sent_bytes "))
    }
}
