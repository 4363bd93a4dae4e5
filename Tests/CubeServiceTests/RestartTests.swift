import CubeFormats
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import CubeService

/// `cubeseg serve` as a child process, killed with SIGKILL in the middle of a job and started
/// again on the same data directory: the job is requeued when its lease expires and finishes.
/// MERGE: enable once the engine, the HTTP front and `cubeseg serve` (with `--port` and
/// `--data-dir`, printing "listening on http://HOST:PORT") are all in.
@Suite(.serialized)
final class RestartTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    /// The `cubeseg` executable next to the test bundle.
    var binary: URL {
        Bundle.main.executableURL!.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cubeseg")
    }

    /// Starts `cubeseg serve` on a free port; returns the process and its base URL.
    func serve() throws -> (Process, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.appendingPathComponent("data").path]
        var env = ProcessInfo.processInfo.environment
        env["CUBESEG_LEASE_SECONDS"] = "2"
        env["CUBESEG_HEARTBEAT_SECONDS"] = "0.5"
        env["CUBESEG_RETRY_BASE_SECONDS"] = "0.1"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let r = text.range(of: #"listening on (http://[0-9.]+:[0-9]+)"#, options: .regularExpression) {
                return (p, String(text[r].dropFirst("listening on ".count)))
            }
        }
        p.terminate()
        throw CocoaError(.fileReadUnknown)
    }

    func send(_ method: String, _ url: String, body: Data? = nil, type: String? = nil) async throws -> [String: Any] {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.httpBody = body
        if let type { r.setValue(type, forHTTPHeaderField: "Content-Type") }
        r.timeoutInterval = 300  // generous: the machine may be busy
        let (data, _) = try await URLSession.shared.data(for: r)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    @Test func aJobSurvivesTheServerBeingKilledMidRun() async throws {
        var (server, base) = try serve()
        let (npy, _) = makeCubeNpy(height: 24, width: 24, channels: 32)
        let cube = try #require(try await send("POST", "\(base)/v1/cubes", body: npy, type: "application/octet-stream")["id"] as? String)
        // A job long enough to be killed while it runs: the paper's per-batch silhouette term
        // (the default until it was measured useless) costs a k-means per batch.
        let params: [String: Any] = ["epochs": 300, "k_min": 2, "k_max": 3, "bins": NSNull(), "background": "none", "batch_size": 64,
                                     "clustering_term": "silhouette"]
        let job = try #require(try await send("POST", "\(base)/v1/jobs", body: try JSONSerialization.data(withJSONObject: ["cube_id": cube, "params": params]),
                                              type: "application/json")["id"] as? String)
        var state = ""
        for _ in 0..<100 where state != "running" {
            state = try await send("GET", "\(base)/v1/jobs/\(job)?wait=1")["state"] as? String ?? ""
        }
        #expect(state == "running")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        (server, base) = try serve()
        defer { server.terminate(); server.waitUntilExit() }
        var last: [String: Any] = [:]
        for _ in 0..<300 where !["succeeded", "failed"].contains(last["state"] as? String ?? "") {
            last = try await send("GET", "\(base)/v1/jobs/\(job)?wait=2")
        }
        #expect(last["state"] as? String == "succeeded")
        #expect(last["attempt"] as? Int == 2)
    }
}
