import CubeFormats
import CubeImaging
import CubeML
import Foundation
import Testing
@testable import CubeService

/// Requests through the responder in-process (no socket, no workers): every error status.
@Suite final class RouteTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    func service(tokens: [ServiceConfiguration.APIToken] = [alice, bob, admin], _ edit: (inout ServiceConfiguration) -> Void = { _ in }) throws -> RunningService {
        var c = testConfiguration(dir, tokens: tokens)
        edit(&c)
        return try buildService(configuration: c, logger: quietLogger,
                                options: ServiceBuildOptions(engine: fakeEngine(), startWorkers: false, startHTTP: false, waitPollSeconds: 0.02))
    }

    func uploadedCube(_ s: CubeSegService, token: String? = alice.token) async throws -> String {
        let r = await s.upload(makeCubeNpy().0, token: token, query: ["name": "two halves"])
        #expect(r.status == 201)
        return try #require(r.json["id"] as? String)
    }

    @Test func anUploadReportsShapeTypeSizeAndChecksum() async throws {
        let s = try service().responder
        let (npy, _) = makeCubeNpy(height: 6, width: 8, channels: 5)
        let r = await s.upload(npy, token: alice.token, query: ["name": "halves", "format": "npy"])
        #expect(r.status == 201)
        let id = try #require(r.json["id"] as? String)
        #expect(r.header("Location") == "/v1/cubes/\(id)")
        #expect(r.json["shape"] as? [Int] == [6, 8, 5])
        #expect(r.json["dtype"] as? String == "float32")
        #expect(r.json["name"] as? String == "halves")
        #expect((r.json["size"] as? Int) == npy.count)
        #expect(r.json["sha256"] as? String == CryptoHelpers.sha256Hex(npy))
        let axis = try #require(r.json["spectral_axis"] as? [String: Any])
        #expect(axis["channels"] as? Int == 5)
        let got = await s.call("GET", "/v1/cubes/\(id)", token: alice.token)
        #expect(got.status == 200)
        #expect(got.json["id"] as? String == id)
        let list = await s.call("GET", "/v1/cubes", token: alice.token)
        #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
    }

    @Test func eachTokenSeesOnlyItsOwnThingsAndAnAdminSeesAll() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        #expect(await s.call("GET", "/v1/cubes/\(id)", token: bob.token).status == 404)
        #expect(await s.call("GET", "/v1/cubes/\(id)", token: bob.token).problemCode == "cube_not_found")
        #expect(await s.call("DELETE", "/v1/cubes/\(id)", token: bob.token).status == 404)
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id], token: bob.token).status == 404)
        #expect(await s.call("GET", "/v1/cubes/\(id)", token: admin.token).status == 200)
        let job = await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token)
        #expect(job.status == 202)
        let jobID = try #require(job.json["id"] as? String)
        #expect(await s.call("GET", "/v1/jobs/\(jobID)", token: bob.token).status == 404)
        #expect(await s.call("DELETE", "/v1/jobs/\(jobID)", token: bob.token).status == 404)
        #expect((await s.call("GET", "/v1/jobs", token: bob.token).json["items"] as? [Any])?.isEmpty == true)
        #expect((await s.call("GET", "/v1/jobs", token: admin.token).json["items"] as? [Any])?.count == 1)
    }

    @Test func aJobIsQueuedWithItsParametersAndALocation() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        let r = await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["k_min": 3, "k_max": 5, "seed": 7, "background": "none"]], token: alice.token)
        #expect(r.status == 202)
        let jobID = try #require(r.json["id"] as? String)
        #expect(r.header("Location") == "/v1/jobs/\(jobID)")
        #expect(r.json["state"] as? String == "queued")
        let params = try #require(r.json["params"] as? [String: Any])
        #expect(params["k_min"] as? Int == 3)
        #expect(params["k_max"] as? Int == 5)
        #expect(params["seed"] as? Int == 7)
        #expect(params["epochs"] as? Int == SegmentationParameters().epochs)
    }

    @Test func badParametersAnswer400WithAStableCode() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        let unknown = await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["k_minn": 3]], token: alice.token)
        #expect(unknown.status == 400)
        #expect(unknown.problemCode == "unknown_parameter")
        #expect(unknown.header("Content-Type") == "application/problem+json")
        #expect((unknown.json["detail"] as? String)?.contains("k_minn") == true)
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["k_min": "three"]], token: alice.token).problemCode == "invalid_parameter")
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["k_min": 5, "k_max": 3]], token: alice.token).problemCode == "invalid_parameter")
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "colour": "red"], token: alice.token).problemCode == "unknown_field")
        // A crop beyond the cube's 5 channels is refused at submission, naming the parameter given.
        let crop = await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["crop_start": 1000]], token: alice.token)
        #expect(crop.status == 400 && crop.problemCode == "invalid_parameter")
        #expect((crop.json["detail"] as? String)?.hasPrefix("params.crop_start") == true)
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["crop_end": 6]], token: alice.token).problemCode == "invalid_parameter")
        #expect(await s.postJSON("/v1/jobs", ["params": [:]], token: alice.token).problemCode == "missing_field")
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "priority": true], token: alice.token).problemCode == "invalid_parameter")
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "priority": 0], token: alice.token).status == 202)
        #expect(await s.postJSON("/v1/jobs", ["cube_id": 7], token: alice.token).problemCode == "invalid_field")
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["variational": 1]], token: alice.token).problemCode == "invalid_parameter")
        let notJSON = await s.call("POST", "/v1/jobs", headers: ["content-type": "application/json"], token: alice.token, body: .data(Data("{".utf8)))
        #expect(notJSON.status == 400)
        #expect(notJSON.problemCode == "invalid_json")
        #expect(await s.call("GET", "/v1/jobs", query: ["limit": "0"], token: alice.token).status == 400)
        #expect(await s.call("GET", "/v1/jobs", query: ["state": "sleeping"], token: alice.token).status == 400)
        #expect(await s.call("GET", "/v1/jobs", query: ["cursor": "bogus!"], token: alice.token).problemCode == "invalid_cursor")
        #expect(await s.call("GET", "/v1/jobs", query: ["cursor": ""], token: alice.token).status == 200)
        #expect(await s.upload(makeCubeNpy().0, token: alice.token, query: ["format": "raw", "dtype": "float32"]).status == 400)
    }

    @Test func cubeListsPageNewestFirstAndRefuseForeignCursors() async throws {
        let s = try service().responder
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try await uploadedCube(s)) }
        let first = await s.call("GET", "/v1/cubes", query: ["limit": "2"], token: alice.token)
        let firstItems = try #require(first.json["items"] as? [[String: Any]])
        #expect(firstItems.count == 2)
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = await s.call("GET", "/v1/cubes", query: ["limit": "2", "cursor": cursor], token: alice.token)
        let secondItems = try #require(second.json["items"] as? [[String: Any]])
        #expect(secondItems.count == 1 && second.json["next_cursor"] == nil)
        #expect(Set((firstItems + secondItems).compactMap { $0["id"] as? String }) == Set(ids))
        #expect(await s.call("GET", "/v1/cubes", query: ["cursor": cursor], token: bob.token).problemCode == "invalid_cursor")
        #expect(await s.call("GET", "/v1/models", query: ["cursor": "mod_nothere"], token: alice.token).problemCode == "invalid_cursor")
    }

    @Test func missingOrUnknownTokensAnswer401AndMetricsNeedAnAdmin() async throws {
        let s = try service().responder
        let none = await s.call("GET", "/v1/jobs")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(await s.call("GET", "/v1/jobs", token: "not-a-token").status == 401)
        #expect(await s.call("GET", "/v1/jobs", headers: ["authorization": "Basic YTpi"]).status == 401)
        #expect(await s.call("GET", "/metrics", token: alice.token).status == 403)
        #expect(await s.call("GET", "/metrics", token: admin.token).status == 200)
        #expect(await s.call("GET", "/healthz").status == 200)
        #expect(await s.call("GET", "/openapi.yaml").status == 200)
    }

    @Test func localModeNeedsNoToken() async throws {
        let s = try service(tokens: []).responder
        #expect(await s.call("GET", "/v1/jobs").status == 200)
        #expect(await s.call("GET", "/metrics").status == 200)
    }

    @Test func unknownRoutesAnswer404AndWrongMethods405WithAllow() async throws {
        let s = try service().responder
        let missing = await s.call("GET", "/v2/everything", token: alice.token)
        #expect(missing.status == 404)
        #expect(missing.problemCode == "route_not_found")
        #expect(await s.call("GET", "/v1/jobs/job_nope", token: alice.token).problemCode == "job_not_found")
        #expect(await s.call("GET", "/v1/models/mdl_nope", token: alice.token).problemCode == "model_not_found")
        let put = await s.call("PUT", "/v1/jobs", token: alice.token)
        #expect(put.status == 405)
        #expect(put.header("Allow") == "GET, POST")
        // `curl -T` uploads with PUT.
        let curlT = await s.call("PUT", "/v1/cubes", headers: ["content-type": "application/octet-stream"], token: alice.token,
                                 body: .data(makeCubeNpy().0))
        #expect(curlT.status == 201)
    }

    @Test func conflictsAnswer409() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        let job = await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token, headers: ["idempotency-key": "k-1"])
        let jobID = try #require(job.json["id"] as? String)
        let inUse = await s.call("DELETE", "/v1/cubes/\(id)", token: alice.token)
        #expect(inUse.status == 409)
        #expect(inUse.problemCode == "in_use")
        let early = await s.call("GET", "/v1/jobs/\(jobID)/results/labels.json", token: alice.token)
        #expect(early.status == 409)
        #expect(early.problemCode == "job_not_succeeded")
        let reused = await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["seed": 9]], token: alice.token, headers: ["idempotency-key": "k-1"])
        #expect(reused.status == 409)
        #expect(reused.problemCode == "idempotency_key_mismatch")
    }

    @Test func anIdempotentRetryReturnsTheSameJob() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        let a = await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["seed": 3]], token: alice.token, headers: ["idempotency-key": "abc"])
        let b = await s.postJSON("/v1/jobs", ["cube_id": id, "params": ["seed": 3]], token: alice.token, headers: ["idempotency-key": "abc"])
        #expect(a.status == 202 && b.status == 202)
        #expect(a.json["id"] as? String == b.json["id"] as? String)
        #expect((await s.call("GET", "/v1/jobs", token: alice.token).json["items"] as? [Any])?.count == 1)
    }

    @Test func tooLargeBodiesAnswer413BeforeTheBodyIsRead() async throws {
        let s = try service { $0.maxCubeBytes = 1000 }.responder
        let head = HTTPRequestHead(method: "POST", path: "/v1/cubes", headers: ["authorization": "Bearer \(alice.token)"], contentLength: 5000)
        guard case .refuse(let early) = s.precheck(head) else { Issue.record("a declared 5,000-byte body was admitted"); return }
        #expect(early.status == 413)
        #expect(TestResponse(early).problemCode == "payload_too_large")
        // A chunked upload (no Content-Length) is caught once it has arrived.
        let big = await s.call("POST", "/v1/cubes", token: alice.token, body: .file(try uploadedFile(Data(count: 5000))))
        #expect(big.status == 413)
    }

    @Test func unknownMediaTypesAndFormatsAnswer415() async throws {
        let s = try service().responder
        let text = await s.call("POST", "/v1/jobs", headers: ["content-type": "text/plain"], token: alice.token, body: .data(Data("hi".utf8)))
        #expect(text.status == 415)
        #expect(text.problemCode == "unsupported_media_type")
        #expect(await s.upload(Data("GIF89a".utf8), token: alice.token, query: ["format": "gif"]).problemCode == "unknown_format")
        let sniffed = await s.upload(Data("GIF89a not a cube".utf8), token: alice.token)
        #expect(sniffed.status == 415)
        #expect(sniffed.problemCode == "unknown_format")
        // Nothing of a refused upload stays behind.
        let cubes = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("blobs/cubes").path)
        #expect(cubes.isEmpty)
    }

    @Test func aFileThatParsesButIsNoCubeAnswers422() async throws {
        let s = try service().responder
        let flat = NumPyWriter.encode([Float](repeating: 1, count: 12), shape: [3, 4])
        let r = await s.upload(flat, token: alice.token)
        #expect(r.status == 422)
        #expect(r.problemCode == "unusable_cube")
        #expect(await s.upload(Data(), token: alice.token).status == 400)
    }

    @Test func aFullQueueAnswers429WithRetryAfter() async throws {
        let s = try service { $0.maxQueuedJobsPerToken = 1 }.responder
        let id = try await uploadedCube(s)
        #expect(await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token).status == 202)
        let full = await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token)
        #expect(full.status == 429)
        #expect(full.problemCode == "queue_full")
        #expect(Int(full.header("Retry-After") ?? "") != nil)
    }

    @Test func aPreviewIsAGrayscalePNGOfTheCubeSizeKeptForNextTime() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        let r = await s.call("GET", "/v1/cubes/\(id)/preview.png", token: alice.token)
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "image/png")
        let image = try PNG.Decoder().decode(r.body)
        #expect(image.width == 8 && image.height == 6)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("blobs/cubes/\(id)/preview.png").path))
        #expect(await s.call("GET", "/v1/cubes/\(id)/preview.png", token: alice.token).body == r.body)
        #expect(await s.call("GET", "/v1/cubes/\(id)/preview.png", token: bob.token).status == 404)
    }

    @Test func aDrainingServiceAnswers503ButStillSaysItIsAlive() async throws {
        let running = try service()
        let s = running.responder
        running.shutdown()
        let r = await s.call("GET", "/v1/jobs", token: alice.token)
        #expect(r.status == 503)
        #expect(r.problemCode == "shutting_down")
        #expect(await s.call("GET", "/readyz").status == 503)
        #expect(await s.call("GET", "/healthz").status == 200)
    }

    @Test func jobPollingHonoursETagsAndWaits() async throws {
        let running = try service()
        let s = running.responder
        let id = try await uploadedCube(s)
        let jobID = try #require(await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token).json["id"] as? String)
        let first = await s.call("GET", "/v1/jobs/\(jobID)", token: alice.token)
        let etag = try #require(first.header("ETag"))
        let same = await s.call("GET", "/v1/jobs/\(jobID)", headers: ["if-none-match": etag], token: alice.token)
        #expect(same.status == 304)
        // A long-poll with nothing happening ends with 304 after the wait.
        let idle = await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "0.2"], headers: ["if-none-match": etag], token: alice.token)
        #expect(idle.status == 304)
        // A change during the wait ends it with the new state.
        async let changed = s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "5"], headers: ["if-none-match": etag], token: alice.token)
        try await Task.sleep(nanoseconds: 100_000_000)
        _ = try running.store.claim(worker: "test", leaseSeconds: 30, now: Date())
        let r = await changed
        #expect(r.status == 200)
        #expect(r.json["state"] as? String == "running")
        #expect(r.header("ETag") != etag)
        #expect(await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "soon"], token: alice.token).status == 400)
    }

    @Test func cancellingAndDeletingAreSeparateAndEachIsSafeToRetry() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        let jobID = try #require(await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token).json["id"] as? String)
        // DELETE of an unfinished job removes nothing and says what to do instead.
        let early = await s.call("DELETE", "/v1/jobs/\(jobID)", token: alice.token)
        #expect(early.status == 409)
        #expect(early.problemCode == "job_not_finished")
        #expect(await s.call("GET", "/v1/jobs/\(jobID)", token: alice.token).json["state"] as? String == "queued")
        // Cancel, twice: the same answer, and the record stays.
        for _ in 0..<2 {
            let cancel = await s.call("POST", "/v1/jobs/\(jobID)/cancel", token: alice.token)
            #expect(cancel.status == 202)
            #expect(cancel.json["state"] as? String == "cancelled")
        }
        #expect(await s.call("GET", "/v1/jobs/\(jobID)", token: alice.token).status == 200)
        // Delete, twice: removed, then not found.
        #expect(await s.call("DELETE", "/v1/jobs/\(jobID)", token: alice.token).status == 204)
        #expect(await s.call("DELETE", "/v1/jobs/\(jobID)", token: alice.token).status == 404)
        #expect(await s.call("GET", "/v1/jobs/\(jobID)", token: alice.token).status == 404)
        #expect(await s.call("POST", "/v1/jobs/\(jobID)/cancel", token: alice.token).status == 404)
        #expect(await s.call("DELETE", "/v1/cubes/\(id)", token: alice.token).status == 204)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("blobs/cubes/\(id)").path))
    }

    @Test func metricsReportRequestsQueueDepthAndUploads() async throws {
        let s = try service().responder
        let id = try await uploadedCube(s)
        _ = await s.postJSON("/v1/jobs", ["cube_id": id], token: alice.token)
        let text = String(decoding: await s.call("GET", "/metrics", token: admin.token).body, as: UTF8.self)
        #expect(text.contains("cubeseg_http_requests_total{method=\"POST\",route=\"/v1/jobs\",status=\"202\"} 1"))
        #expect(text.contains("cubeseg_queue_depth 1"))
        #expect(text.contains("cubeseg_jobs_current{state=\"queued\"} 1"))
        #expect(text.contains("cubeseg_upload_bytes_total \(makeCubeNpy().0.count)"))
        #expect(text.contains("cubeseg_http_request_duration_seconds_bucket"))
    }

    @Test func theOpenAPIDocumentIsServedAndNamesEveryRoute() async throws {
        let s = try service().responder
        let text = String(decoding: await s.call("GET", "/openapi.yaml").body, as: UTF8.self)
        #expect(text.hasPrefix("openapi: 3.1"))
        for route in ["/v1/cubes:", "/v1/cubes/{id}:", "/v1/cubes/{id}/preview.png:", "/v1/jobs:", "/v1/jobs/{id}:",
                      "/v1/jobs/{id}/results:", "/v1/jobs/{id}/results/{file}:", "/v1/models:", "/v1/models/{id}:",
                      "/v1/models/{id}/apply:", "/healthz:", "/readyz:", "/metrics:", "/openapi.yaml:"] {
            #expect(text.contains("  \(route)"), "openapi.yaml lacks \(route)")
        }
    }

    /// An upload as the HTTP front hands it over: a complete file in the upload directory.
    func uploadedFile(_ data: Data) throws -> StreamedFile {
        let url = dir.appendingPathComponent("uploads/\(UUID().uuidString).part")
        try data.write(to: url)
        return StreamedFile(url: url, size: Int64(data.count), sha256Hex: CryptoHelpers.sha256Hex(data))
    }
}

