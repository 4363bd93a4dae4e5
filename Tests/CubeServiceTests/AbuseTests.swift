import CubeFormats
import CubeML
import CubeReports
import Foundation
import Testing
@testable import CubeService

/// The service as an attacker, a full disk and a crash meet it (issue 9), over a real socket.
@Suite("The service under abuse")
final class AbuseTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    var uploads: URL { dir.appendingPathComponent("uploads") }

    func start(engine: ServiceEngine = fakeEngine(), _ edit: (inout ServiceConfiguration) -> Void = { _ in }) throws -> RunningService {
        var c = testConfiguration(dir, tokens: [alice])
        edit(&c)
        return try buildService(configuration: c, logger: quietLogger,
                                options: ServiceBuildOptions(engine: engine, startWorkers: true, startHTTP: true, waitPollSeconds: 0.02))
    }

    /// The job once it has finished (alice's), waiting in one call per state change.
    func finished(_ s: CubeSegService, _ jobID: String) async -> [String: Any] {
        var state: [String: Any] = [:]
        for _ in 0..<20 {
            state = await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "5", "until": "finished"], token: alice.token).json
            if JobState(rawValue: state["state"] as? String ?? "")?.isFinished == true { break }
        }
        return state
    }

    func problem(_ r: HTTPTestClient.Response) throws -> ProblemDetails {
        #expect(r.headers["content-type"] == "application/problem+json")
        return try JSONDecoder().decode(ProblemDetails.self, from: r.body)
    }

    @Test("a body on a route that takes none is refused 413 before a byte of it is read")
    func bodiesOnRoutesThatTakeNone() async throws {
        let service = try start(); defer { service.shutdown() }
        for path in ["/healthz", "/readyz", "/openapi.yaml"] {
            let client = try HTTPTestClient(port: service.port)
            try client.sendHead("GET", path, headers: [("Content-Length", String(300 << 20))])
            let response = try client.readResponse()
            #expect(response.status == 413, "\(path)")
            let p = try problem(response)
            #expect(p.code == "payload_too_large")
            #expect(p.extensions["max_bytes"] == .int(0))
        }
        let chunked = try HTTPTestClient(port: service.port)
        try chunked.sendHead("GET", "/healthz", headers: [("Transfer-Encoding", "chunked")])
        #expect(try chunked.readResponse().status == 413)
        let authorised = try HTTPTestClient(port: service.port)
        try authorised.sendHead("DELETE", "/v1/jobs/job_x", headers: [("Authorization", "Bearer \(alice.token)"),
                                                                      ("Content-Length", String(1 << 30))])
        #expect(try authorised.readResponse().status == 413)
        #expect(service.server!.metrics.bytesUploaded == 0)
        #expect(filesIn(uploads).isEmpty)
        // Without a body the same routes answer.
        #expect(try HTTPTestClient(port: service.port).request("GET", "/healthz").status == 200)
    }

    @Test("a chunked JSON body is held to max_json_bytes as it streams: 413 problem+json, nothing kept")
    func chunkedJSONOverTheLimit() async throws {
        let service = try start { $0.maxJSONBytes = 64 << 10 }; defer { service.shutdown() }
        let client = try HTTPTestClient(port: service.port)
        try client.sendHead("POST", "/v1/jobs", headers: [("Authorization", "Bearer \(alice.token)"),
                                                          ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
        try client.sendChunk(Data(#"{"cube_id": "cub_x", "params": {"comment": ""#.utf8))
        for _ in 0..<4 { try client.sendChunk(Data(repeating: UInt8(ascii: "a"), count: 32 << 10)) }  // 128 KiB
        try client.sendChunk(Data(#""}}"#.utf8))
        try client.sendChunk(Data())
        let response = try client.readResponse()
        #expect(response.status == 413)
        let p = try problem(response)
        #expect(p.code == "payload_too_large")
        #expect(p.extensions["max_bytes"] == .int(64 << 10))
        #expect(filesIn(uploads).isEmpty)

        // One that goes on and on is cut off soon after the limit, not read whole.
        let flood = try HTTPTestClient(port: service.port)
        try flood.sendHead("POST", "/v1/jobs", headers: [("Authorization", "Bearer \(alice.token)"),
                                                         ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
        let block = Data(repeating: UInt8(ascii: " "), count: 256 << 10)
        var sendFailed = false
        for _ in 0..<200 {  // 50 MiB offered
            do { try flood.sendChunk(block) } catch { sendFailed = true; break }
        }
        #expect(sendFailed || flood.isClosedByServer())
        #expect(service.server!.metrics.bytesUploaded < (64 << 10) + (128 << 10) + HTTPServer.refusedBodyDrainBytes + (2 << 20))
        #expect(filesIn(uploads).isEmpty)
    }

    @Test("two Content-Length headers are a 400, not first-wins")
    func duplicateContentLength() async throws {
        let service = try start(); defer { service.shutdown() }
        let client = try HTTPTestClient(port: service.port)
        try client.sendHead("POST", "/v1/cubes", headers: [("Authorization", "Bearer \(alice.token)"),
                                                           ("Content-Length", "10"), ("Content-Length", "2000")])
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(try problem(response).code == "invalid_content_length")
        #expect(filesIn(uploads).isEmpty)
    }

    @Test("below min_free_bytes /readyz says not ready and uploads get 507 before anything is written")
    func lowDiskSpace() async throws {
        // The real free space of the test's file system, against a floor it cannot meet.
        let service = try start { $0.minFreeBytes = Int64.max / 2 }; defer { service.shutdown() }
        let ready = try HTTPTestClient(port: service.port).request("GET", "/readyz")
        #expect(ready.status == 503)
        #expect(try problem(ready).code == "low_disk_space")
        let client = try HTTPTestClient(port: service.port)
        let upload = try client.request("POST", "/v1/cubes", headers: [("Authorization", "Bearer \(alice.token)")], body: makeCubeNpy().0)
        #expect(upload.status == 507)
        #expect(try problem(upload).code == "insufficient_storage")
        #expect(filesIn(uploads).isEmpty)
        #expect(filesIn(dir.appendingPathComponent("blobs/cubes")).isEmpty)
        // JSON routes still work: reading and queueing need no room for a cube.
        #expect(try HTTPTestClient(port: service.port).request("GET", "/v1/jobs", headers: [("Authorization", "Bearer \(alice.token)")]).status == 200)
    }

    @Test("files a crash left behind are swept at start; what rows refer to stays")
    func leftoversAreSweptAtStart() async throws {
        var cubeID = ""
        do {
            let service = try start(); defer { service.shutdown() }
            let up = await service.responder.upload(makeCubeNpy().0, token: alice.token)
            cubeID = try #require(up.json["id"] as? String)
        }
        let fm = FileManager.default
        let planted = ["uploads/0f2c.part", "uploads/77aa.upload", "blobs/cubes/cub_orphan/cube.npy",
                       "blobs/results/res_orphan/labels.npy", "blobs/models/mdl_orphan.json"]
        for relative in planted {
            let url = dir.appendingPathComponent(relative)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(count: 4096).write(to: url)
        }
        let service = try start(); defer { service.shutdown() }
        for relative in planted { #expect(!fm.fileExists(atPath: dir.appendingPathComponent(relative).path), "\(relative)") }
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("blobs/cubes/cub_orphan").path))
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("blobs/cubes/\(cubeID)").path))
        #expect(await service.responder.call("GET", "/v1/cubes/\(cubeID)", token: alice.token).status == 200)
    }

    @Test("no answer and no job error shows a server path")
    func noServerPaths() async throws {
        let service = try start(engine: .live); defer { service.shutdown() }
        let s = service.responder
        let garbage = await s.call("POST", "/v1/cubes", query: ["format": "fits"], headers: ["content-type": "application/octet-stream"],
                                   token: alice.token, body: .data(Data(repeating: 0x41, count: 5000)))
        #expect([415, 422].contains(garbage.status))
        let detail = try #require(garbage.json["detail"] as? String)
        #expect(!detail.contains(dir.path) && !detail.contains("blobs/"), "\(detail)")

        // A job whose cube file vanished fails with the reader's error, without its path.
        let up = await s.upload(makeCubeNpy().0, token: alice.token)
        let cubeID = try #require(up.json["id"] as? String)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("blobs/cubes/\(cubeID)"))
        let job = await s.postJSON("/v1/jobs", ["cube_id": cubeID, "params": ["epochs": 1]], token: alice.token)
        let jobID = try #require(job.json["id"] as? String)
        let state = await finished(s, jobID)
        #expect(state["state"] as? String == "failed")
        let error = try #require(state["error"] as? String)
        #expect(!error.contains(dir.path) && !error.contains("/blobs/"), "\(error)")
    }

    @Test("a job whose results hit a full disk is retried, not failed for good on its first attempt")
    func fullDiskJobsAreRetried() async throws {
        let runs = Counter()
        let full = ResultFilesError.io(operation: "write", path: dir.path + "/blobs/tmp/labels.npy", errno: ENOSPC,
                                       message: String(cString: strerror(ENOSPC)))
        let service = try start(engine: fakeEngine(failWith: full, runs: runs)) { $0.maxAttempts = 3 }
        defer { service.shutdown() }
        let s = service.responder
        let up = await s.upload(makeCubeNpy().0, token: alice.token)
        let job = await s.postJSON("/v1/jobs", ["cube_id": try #require(up.json["id"] as? String)], token: alice.token)
        let jobID = try #require(job.json["id"] as? String)
        let state = await finished(s, jobID)
        #expect(state["state"] as? String == "failed")
        #expect(state["attempt"] as? Int == 3)
        #expect(runs.value == 3)
        #expect((state["error"] as? String)?.contains(dir.path) == false)
    }

    @Test("a cube with nothing to segment is refused 422 at upload, and by the engine before training")
    func constantCubesAreRefused() async throws {
        let service = try start(engine: .live); defer { service.shutdown() }
        let zeros = NumPyWriter.encode([Float](repeating: 0, count: 6 * 8 * 5), shape: [6, 8, 5])
        let constant = NumPyWriter.encode((0..<(6 * 8 * 5)).map { Float($0 % 5) }, shape: [6, 8, 5])
        for (data, words) in [(zeros, "all values 0"), (constant, "the same 5 values")] {
            let r = await service.responder.upload(data, token: alice.token)
            #expect(r.status == 422)
            #expect(r.problemCode == "unsegmentable_cube")
            #expect((r.json["detail"] as? String)?.contains(words) == true)
        }
        #expect(filesIn(dir.appendingPathComponent("blobs/cubes")).isEmpty)
        // One differing pixel is enough to be accepted.
        var values = [Float](repeating: 0, count: 6 * 8 * 5)
        values[7] = 3
        #expect(await service.responder.upload(NumPyWriter.encode(values, shape: [6, 8, 5]), token: alice.token).status == 201)
        // The engine refuses a constant cube itself (CLI, cubes stored before this check).
        let cube = Datacube(height: 6, width: 8, channels: 5, values: [Float](repeating: 2, count: 240))
        #expect(throws: SegmentationError.self) { try Segmenter(parameters: SegmentationParameters()).segment(cube) }
    }

    @Test("out-of-range numbers and waits are 400s that name the field and what it takes")
    func parameterAndQueryErrorsNameTheProblem() async throws {
        let service = try start(); defer { service.shutdown() }
        let s = service.responder
        let up = await s.upload(makeCubeNpy().0, token: alice.token)
        let cubeID = try #require(up.json["id"] as? String)
        for (key, value, words) in [("seed", -1 as Any, "seed"), ("epochs", 5.5 as Any, "epochs"), ("k_max", 1e30 as Any, "k_max")] {
            let r = await s.postJSON("/v1/jobs", ["cube_id": cubeID, "params": [key: value]], token: alice.token)
            #expect(r.status == 400)
            let detail = r.json["detail"] as? String ?? ""
            #expect(detail.contains(words) && !detail.contains("not valid JSON"), "\(detail)")
        }
        let job = await s.postJSON("/v1/jobs", ["cube_id": cubeID], token: alice.token)
        let jobID = try #require(job.json["id"] as? String)
        let tooLong = await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "61"], token: alice.token)
        #expect(tooLong.status == 400)
        #expect((tooLong.json["detail"] as? String)?.contains("0...5") == true)  // the test configuration's max_wait_seconds
    }
}

@Suite("Errors as clients see them")
struct ServerPathTests {
    @Test("absolute server paths become file names; API paths and prose stay")
    func redaction() {
        #expect(ServerPaths.redacted("/tmp/x/data/blobs/cubes/cub_1/cube.bin: not a FITS file") == "cube.bin: not a FITS file")
        #expect(ServerPaths.redacted("cannot open '/usr/lib/thing.so'") == "cannot open 'thing.so'")
        #expect(ServerPaths.redacted("rename a -> /tmp/q/r failed.") == "rename a -> r failed.")
        #expect(ServerPaths.redacted("POST /v1/jobs takes application/json") == "POST /v1/jobs takes application/json")
        #expect(ServerPaths.redacted("K = 2/3 of pixels") == "K = 2/3 of pixels")
    }

    @Test("a full disk is recognised in every error type that carries an errno")
    func outOfSpace() {
        #expect(ServerPaths.isOutOfSpace(BlobStoreError.io(operation: "write", errno: ENOSPC)))
        #expect(ServerPaths.isOutOfSpace(HTTPServerError.bodyWriteFailed(path: "/x", errno: EDQUOT)))
        #expect(ServerPaths.isOutOfSpace(CocoaError(.fileWriteOutOfSpace)))
        #expect(ServerPaths.isOutOfSpace(NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))))
        #expect(!ServerPaths.isOutOfSpace(BlobStoreError.io(operation: "write", errno: EACCES)))
        #expect(HTTPServerError.bodyWriteFailed(path: "/srv/data/uploads/a.part", errno: ENOSPC).problem.status == 507)
        #expect(!HTTPServerError.bodyWriteFailed(path: "/srv/data/uploads/a.part", errno: EIO).problem.detail.contains("/srv"))
    }
}
