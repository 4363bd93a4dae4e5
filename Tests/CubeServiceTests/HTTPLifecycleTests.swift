import Foundation
import Testing
@testable import CubeService

/// A one-shot gate a deferred response waits on, opened by the test.
final class Gate: @unchecked Sendable {
    // @unchecked Sendable: `isOpen` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var isOpen = false

    func open() { lock.withLock { isOpen = true } }

    /// Waits until opened or `seconds` passed; true when opened.
    func wait(seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lock.withLock({ isOpen }) { return true }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return false
    }
}

@Suite("HTTP front: deferred responses, shutdown, limits, TLS")
struct HTTPLifecycleTests {
    @Test("a deferred response is computed off the MHD threads while other requests are answered")
    func deferredResponse() async throws {
        let gate = Gate()
        let responder = TestResponder { request in
            guard request.head.path == "/v1/jobs/1" else { return .immediate(.text("fast")) }
            return .deferred {
                // Sleeps while the other request is served, then waits for the test's signal.
                try? await Task.sleep(nanoseconds: 200_000_000)
                let opened = await gate.wait(seconds: 60)
                return .json(["state": opened ? "succeeded" : "gate-timeout"])
            }
        }
        try await withServer(responder, configure: { $0.threads = 1 }) { server, _ in
            let slow = try HTTPTestClient(port: server.port)
            try slow.sendHead("GET", "/v1/jobs/1?wait=5")
            #expect(await eventually { server.metrics.suspended == 1 })
            // One MHD thread only: it must be free to answer while the slow request waits.
            let fast = try HTTPTestClient(port: server.port).request("GET", "/healthz")
            #expect(fast.status == 200)
            #expect(String(decoding: fast.body, as: UTF8.self) == "fast")
            #expect(server.metrics.suspended == 1)
            gate.open()
            let answer = try slow.readResponse()
            #expect(answer.status == 200)
            #expect(try answer.json()["state"] as? String == "succeeded")
            #expect(server.metrics.suspended == 0)
            // The resumed connection stays usable (keep-alive).
            #expect(try slow.request("GET", "/other").status == 200)
        }
    }

    @Test("stop() answers a suspended request 503 and returns although its task never finishes")
    func stopWithSuspendedConnection() async throws {
        let gate = Gate()
        let responder = TestResponder { _ in
            .deferred {
                _ = await gate.wait(seconds: 30)
                return .text("late")
            }
        }
        try await withTemporaryDirectory { directory in
            let server = try HTTPServer(configuration: HTTPServerConfiguration(port: 0, uploadDirectory: directory),
                                        responder: responder, logger: .init(label: "t"))
            try server.start()
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("GET", "/v1/jobs/1?wait=30")
            #expect(await eventually { server.metrics.suspended == 1 })
            server.stop()
            #expect(server.metrics.suspended == 0)
            // The suspended request is answered 503 rather than left hanging or cut off.
            let response = try client.readResponse()
            #expect(response.status == 503)
            #expect(try JSONDecoder().decode(ProblemDetails.self, from: response.body).code == "shutting_down")
            gate.open()
            server.stop()  // idempotent
        }
    }

    @Test("stopAccepting() refuses new connections while accepted ones are still served")
    func quiesce() async throws {
        try await withServer { server, _ in
            let existing = try HTTPTestClient(port: server.port)
            #expect(try existing.request("GET", "/a").status == 200)
            server.stopAccepting()
            #expect(throws: (any Error).self) {
                let fresh = try HTTPTestClient(port: server.port, timeout: 2)
                _ = try fresh.request("GET", "/b")
            }
            #expect(try existing.request("GET", "/c").status == 200)
        }
    }

    @Test("connections beyond the per-IP limit are closed without an answer")
    func perIPLimit() async throws {
        try await withServer(configure: { $0.perIPConnectionLimit = 2 }) { server, _ in
            let first = try HTTPTestClient(port: server.port)
            let second = try HTTPTestClient(port: server.port)
            #expect(try first.request("GET", "/1").status == 200)
            #expect(try second.request("GET", "/2").status == 200)
            let third = try HTTPTestClient(port: server.port)
            #expect(throws: (any Error).self) { _ = try third.request("GET", "/3") }
            // The first two are still served.
            #expect(try first.request("GET", "/4").status == 200)
        }
    }

    @Test("HTTPS with a self-signed certificate",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
                       && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"),
                   "needs openssl to make a certificate and curl as TLS client"))
    func https() async throws {
        try await withTemporaryDirectory { directory in
            let key = directory.appendingPathComponent("key.pem")
            let certificate = directory.appendingPathComponent("cert.pem")
            _ = try runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                    "-subj", "/CN=127.0.0.1", "-keyout", key.path, "-out", certificate.path])
            let keyPEM = try String(contentsOf: key, encoding: .utf8)
            let certificatePEM = try String(contentsOf: certificate, encoding: .utf8)
            try await withServer(configure: {
                $0.tlsKeyPEM = keyPEM
                $0.tlsCertificatePEM = certificatePEM
            }) { server, _ in
                let body = directory.appendingPathComponent("body.bin")
                let content = patternData(count: 1_500_000, seed: 8)
                try content.write(to: body)
                let output = try runProcess("/usr/bin/curl", ["-sS", "-k", "-T", body.path,
                                                             "https://127.0.0.1:\(server.port)/v1/cubes?name=tls"])
                let echo = try JSONDecoder().decode(Echo.self, from: output)
                #expect(echo.method == "PUT")
                #expect(echo.body.kind == "file")
                #expect(echo.body.sha256 == sha256Hex(content))
                // Plain HTTP to the TLS port gets no HTTP answer.
                #expect(throws: (any Error).self) { _ = try HTTPTestClient(port: server.port, timeout: 5).request("GET", "/") }
            }
        }
    }
}
