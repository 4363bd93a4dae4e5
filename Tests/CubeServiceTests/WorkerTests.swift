import CubeFormats
import CubeImaging
import CubeML
import Foundation
import ServiceLifecycle
import Testing
@testable import CubeService

/// Jobs run by the worker pool with a fast fake segmenter (see `fakeEngine`): the queue,
/// leases, cancellation, shutdown and restart, and the result files, without the engine.
@Suite final class WorkerTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    func start(_ engine: ServiceEngine = fakeEngine(), workers: Bool = true, _ edit: (inout ServiceConfiguration) -> Void = { _ in }) throws -> RunningService {
        var c = testConfiguration(dir)
        edit(&c)
        return try buildService(configuration: c, logger: quietLogger,
                                options: ServiceBuildOptions(engine: engine, startWorkers: workers, startHTTP: false, waitPollSeconds: 0.02))
    }

    func submit(_ s: CubeSegService, params: [String: Any] = [:]) async throws -> (cube: String, job: String) {
        let up = await s.upload(makeCubeNpy().0)
        let cube = try #require(up.json["id"] as? String)
        let r = await s.postJSON("/v1/jobs", ["cube_id": cube, "params": params])
        #expect(r.status == 202)
        return (cube, try #require(r.json["id"] as? String))
    }

    /// Long-polls until the job is in one of `states`.
    @Test func aJobRunsToSuccessAndServesItsResultsAndModel() async throws {
        let running = try start(); defer { running.shutdown() }
        let s = running.responder
        let (cubeID, jobID) = try await submit(s, params: ["k_min": 2, "k_max": 3, "epochs": 3])
        let job = await waitFor(s, jobID, ["succeeded", "failed"])
        #expect(job["state"] as? String == "succeeded")
        #expect(job["attempt"] as? Int == 1)
        #expect(job["finished_at"] != nil)
        let files = try #require(await s.call("GET", "/v1/jobs/\(jobID)/results").json["files"] as? [String])
        #expect(files.contains("labels.npy") && files.contains("labels.json") && files.contains("report.json"))
        // The label map is the one the (fake) engine computed on the uploaded cube.
        let (npy, values) = makeCubeNpy()
        _ = npy
        let expected = fakeLabels(Datacube(height: 6, width: 8, channels: 5, values: values))
        let labels = await s.call("GET", "/v1/jobs/\(jobID)/results/labels.npy")
        #expect(labels.status == 200)
        #expect(labels.body == NumPyWriter.encode(expected, shape: [6, 8]))
        // Label maps as PNG: the chosen K, any K tried, palette or index style.
        for query in [[:], ["k": "3"], ["k": "2", "style": "index"]] {
            let png = await s.call("GET", "/v1/jobs/\(jobID)/results/labels.png", query: query)
            #expect(png.status == 200, "\(query)")
            let image = try PNG.Decoder().decode(png.body)
            // The index style has one pixel per cube pixel; the palette style is the figure.
            if query["style"] == "index" { #expect(image.width == 8 && image.height == 6) }
            else { #expect(image.width > 8 * LabelFigure.scale(width: 8, height: 6) && image.height >= 6 * LabelFigure.scale(width: 8, height: 6)) }
        }
        let clusters = await s.call("GET", "/v1/jobs/\(jobID)/results/clusters.json")
        #expect(clusters.status == 200 && clusters.header("Content-Type") == "application/json")
        #expect(await s.call("GET", "/v1/jobs/\(jobID)/results/scores.json").status == 200)
        #expect(await s.call("GET", "/v1/jobs/\(jobID)/results/labels.png", query: ["k": "99"]).status == 400)
        #expect(await s.call("GET", "/v1/jobs/\(jobID)/results/labels.png", query: ["style": "rainbow"]).status == 400)
        // The trained model is stored, listed and applies to another cube.
        let modelID = try #require(job["model_id"] as? String)
        let models = await s.call("GET", "/v1/models")
        #expect((models.json["items"] as? [[String: Any]])?.first?["id"] as? String == modelID)
        let modelFile = await s.call("GET", "/v1/models/\(modelID)")
        #expect(modelFile.status == 200)
        let model = try TrainedModel.decode(modelFile.body)
        #expect(model.chosenK == 2)
        let apply = await s.postJSON("/v1/models/\(modelID)/apply", ["cube_id": cubeID])
        #expect(apply.status == 202)
        let applied = await waitFor(s, try #require(apply.json["id"] as? String), ["succeeded", "failed"])
        #expect(applied["state"] as? String == "succeeded")
        #expect(applied["kind"] as? String == "apply")
        #expect(applied["model_id"] as? String == modelID)
        // Applying takes the model's K range unless the request gives one.
        let appliedParams = try #require(applied["params"] as? [String: Any])
        #expect(appliedParams["k_min"] as? Int == model.kMin && appliedParams["k_max"] as? Int == model.kMax && model.kMax == 3)
        #expect((await s.call("GET", "/v1/models").json["items"] as? [Any])?.count == 1)
    }

    @Test func aMultipartJobUploadsTheCubeAndRunsIt() async throws {
        let running = try start(); defer { running.shutdown() }
        let s = running.responder
        let parts = [MultipartPart(name: "cube", filename: "halves.npy", contentType: "application/octet-stream", body: .data(makeCubeNpy().0)),
                     MultipartPart(name: "params", body: .data(Data("{\"k_max\": 4, \"epochs\": 2}".utf8)))]
        let r = await s.call("POST", "/v1/jobs", headers: ["content-type": "multipart/form-data; boundary=x", "idempotency-key": "m1"], parts: parts)
        #expect(r.status == 202)
        let jobID = try #require(r.json["id"] as? String)
        let cubeID = try #require(r.json["cube_id"] as? String)
        #expect(await s.call("GET", "/v1/cubes/\(cubeID)").json["name"] as? String == "halves.npy")
        // A retry with the same key gives the same job and keeps no second cube.
        let again = await s.call("POST", "/v1/jobs", headers: ["content-type": "multipart/form-data; boundary=x", "idempotency-key": "m1"], parts: parts)
        #expect(again.json["id"] as? String == jobID)
        #expect((await s.call("GET", "/v1/cubes").json["items"] as? [Any])?.count == 1)
        #expect(await waitFor(s, jobID, ["succeeded", "failed"])["state"] as? String == "succeeded")
        let bad = await s.call("POST", "/v1/jobs", headers: ["content-type": "multipart/form-data; boundary=x"],
                               parts: [MultipartPart(name: "params", body: .data(Data("{}".utf8)))])
        #expect(bad.problemCode == "missing_field")
    }

    @Test func anEngineErrorFailsTheJobAtOnceWithItsMessage() async throws {
        let runs = Counter()
        let running = try start(fakeEngine(failWith: SegmentationError.invalidData("the segmentation pipeline is being built"), runs: runs))
        defer { running.shutdown() }
        let s = running.responder
        let (_, jobID) = try await submit(s)
        let job = await waitFor(s, jobID, ["failed", "succeeded"])
        #expect(job["state"] as? String == "failed")
        #expect((job["error"] as? String)?.contains("being built") == true)
        #expect(runs.value == 1)
    }

    @Test func everyListedResultAnswersAndKIsHonouredOrRefused() async throws {
        let running = try start(); defer { running.shutdown() }
        let s = running.responder
        let (_, jobID) = try await submit(s, params: ["k_min": 2, "k_max": 3, "epochs": 2])
        let job = await waitFor(s, jobID, ["succeeded", "failed"])
        #expect(job["state"] as? String == "succeeded")
        // A finished job says which K it chose and why, and shows no stale progress.
        #expect(job["chosen_k"] as? Int == 2)
        #expect(job["k_reason"] as? String == "fake")
        #expect(job["progress"] == nil)
        let files = try #require(await s.call("GET", "/v1/jobs/\(jobID)/results").json["files"] as? [String])
        #expect(files.contains("labels_k3.png") && files.contains("labels_index_k2.png"))
        for name in files {
            #expect(await s.call("GET", "/v1/jobs/\(jobID)/results/\(name)").status == 200, "\(name)")
        }
        // k on the per-K results: another K's clusters and label map.
        let clusters3 = await s.call("GET", "/v1/jobs/\(jobID)/results/clusters.json", query: ["k": "3"])
        #expect(clusters3.json["k"] as? Int == 3)
        #expect((clusters3.json["clusters"] as? [Any])?.count == 3)
        #expect((await s.call("GET", "/v1/jobs/\(jobID)/results/clusters.json").json["clusters"] as? [Any])?.count == 2)
        let values = makeCubeNpy().1
        let labels = fakeLabels(Datacube(height: 6, width: 8, channels: 5, values: values))
        let npy3 = await s.call("GET", "/v1/jobs/\(jobID)/results/labels.npy", query: ["k": "3"])
        #expect(npy3.status == 200)
        #expect(npy3.body == NumPyWriter.encode(labels.map { min($0, 2) }, shape: [6, 8]))
        // ... and refused where it means nothing, or names a K not tried.
        for (file, query) in [("spectra.png", ["k": "3"]), ("scores.json", ["k": "2"]), ("labels.npy", ["k": "7"]),
                              ("report.json", ["style": "index"])] {
            let r = await s.call("GET", "/v1/jobs/\(jobID)/results/\(file)", query: query)
            #expect(r.status == 400, "\(file) \(query)")
            #expect(r.problemCode == "invalid_query")
        }
        #expect(await s.call("GET", "/v1/jobs/\(jobID)/results/nothing.txt").status == 404)
    }

    @Test func oneCallWaitsForTheEndOfAJobThroughItsProgressUpdates() async throws {
        let running = try start { $0.maxWaitSeconds = 60 }; defer { running.shutdown() }
        let s = running.responder
        let (_, jobID) = try await submit(s, params: ["epochs": 40])
        // 40 epochs of 5 ms report progress 40 times; until=finished answers once, at the end.
        let answer = await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "60", "until": "finished"])
        #expect(answer.status == 200)
        #expect(answer.json["state"] as? String == "succeeded")
        #expect(await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "1", "until": "soon"]).status == 400)
    }

    @Test func anUnexpectedErrorIsRetriedUntilMaxAttempts() async throws {
        struct Flaky: Error {}
        let runs = Counter()
        let running = try start(fakeEngine(failWith: Flaky(), runs: runs)) { $0.maxAttempts = 3 }
        defer { running.shutdown() }
        let s = running.responder
        let (_, jobID) = try await submit(s)
        let job = await waitFor(s, jobID, ["failed", "succeeded"])
        #expect(job["state"] as? String == "failed")
        #expect(job["attempt"] as? Int == 3)
        #expect(runs.value == 3)
    }

    @Test func cancellingARunningJobStopsItAtItsNextBatch() async throws {
        let running = try start(); defer { running.shutdown() }
        let s = running.responder
        let (_, jobID) = try await submit(s, params: ["epochs": 100_000])
        let job = await waitFor(s, jobID, ["running"])
        #expect(job["state"] as? String == "running")
        let cancel = await s.call("POST", "/v1/jobs/\(jobID)/cancel")
        #expect(cancel.status == 202)
        #expect(cancel.json["cancel_requested"] as? Bool == true)
        #expect(await waitFor(s, jobID, ["cancelled"])["state"] as? String == "cancelled")
        // A finished job cannot be cancelled; a succeeded one says so and keeps its results.
        let (_, done) = try await submit(s, params: ["epochs": 1])
        #expect(await waitFor(s, done, ["succeeded"])["state"] as? String == "succeeded")
        let late = await s.call("POST", "/v1/jobs/\(done)/cancel")
        #expect(late.status == 409)
        #expect(late.problemCode == "job_finished")
    }

    @Test func progressIsReportedWhileAJobRuns() async throws {
        let running = try start(); defer { running.shutdown() }
        let s = running.responder
        let (_, jobID) = try await submit(s, params: ["epochs": 100_000])
        var progress: [String: Any]? = nil
        _ = await waitUntil {
            progress = await s.call("GET", "/v1/jobs/\(jobID)").json["progress"] as? [String: Any]
            return (progress?["epoch"] as? Int ?? 0) > 1
        }
        #expect(progress?["phase"] as? String == "training")
        #expect(progress?["epochs"] as? Int == 100_000)
        _ = await s.call("POST", "/v1/jobs/\(jobID)/cancel")
    }

    @Test func shutdownRequeuesARunningJobAndARestartFinishesIt() async throws {
        let first = try start()
        let (_, jobID) = try await submit(first.responder, params: ["epochs": 100_000])
        #expect(await waitFor(first.responder, jobID, ["running"])["state"] as? String == "running")
        first.shutdown()
        let parked = try #require(try first.store.job(id: jobID, owner: nil))
        #expect(parked.state == .queued)
        #expect(parked.attempt == 0)
        // The next process runs it with a quicker engine configuration (the job's epochs are
        // what they are; this fake ignores them).
        var quick = fakeEngine()
        let base = quick.segment
        quick.segment = { cube, model, p, observer in
            var p2 = p
            p2.epochs = 1
            return try base(cube, model, p2, observer)
        }
        let second = try start(quick); defer { second.shutdown() }
        let job = await waitFor(second.responder, jobID, ["succeeded", "failed"])
        #expect(job["state"] as? String == "succeeded")
        #expect(job["attempt"] as? Int == 1)
    }

    @Test("a service group's graceful shutdown (what SIGTERM triggers) drains the service and parks its running job")
    func gracefulShutdownOfTheServiceGroupParksTheRunningJob() async throws {
        let running = try start()
        let (_, jobID) = try await submit(running.responder, params: ["epochs": 100_000])
        #expect(await waitFor(running.responder, jobID, ["running"])["state"] as? String == "running")
        let group = ServiceGroup(services: [running], logger: quietLogger)
        let runTask = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        try await runTask.value
        let parked = try #require(try running.store.job(id: jobID, owner: nil))
        #expect(parked.state == .queued)
        #expect(parked.attempt == 0)
        // Drained: new work is refused.
        #expect(await running.responder.postJSON("/v1/jobs", ["cube_id": parked.cubeID]).status == 503)
    }

    @Test func aJobWhoseWorkerDiedIsReapedAndRunAgain() async throws {
        // Accept a job with no workers running, then let a "dead process" claim it and never
        // heartbeat again.
        let accepting = try start(workers: false)
        let (_, jobID) = try await submit(accepting.responder, params: ["epochs": 1])
        accepting.shutdown()
        let store = try SQLiteJobStore(path: dir.appendingPathComponent("cubeseg.sqlite").path)
        let dead = try #require(try store.claim(worker: "dead:1", leaseSeconds: 0.5, now: Date()))
        #expect(dead.id == jobID)
        // It died after writing its results and model, before committing them.
        let blobs = try BlobStore(root: dir.appendingPathComponent("blobs", isDirectory: true))
        let deadResult = AttemptBlobs.resultID(jobID, attempt: 1), deadModel = AttemptBlobs.modelID(jobID, attempt: 1)
        try blobs.writeDirectory(to: blobs.resultDirectory(deadResult)) { dir in
            try Data("half".utf8).write(to: dir.appendingPathComponent("labels.npy"))
        }
        try blobs.writeModel(Data("{}".utf8), modelID: deadModel)
        let running = try start(); defer { running.shutdown() }
        let job = await waitFor(running.responder, jobID, ["succeeded", "failed"])
        #expect(job["state"] as? String == "succeeded")
        #expect(job["attempt"] as? Int == 2)
        // The second attempt removed what the dead one left; its own results are served.
        #expect(!FileManager.default.fileExists(atPath: blobs.resultDirectory(deadResult).path))
        #expect(!FileManager.default.fileExists(atPath: blobs.modelURL(deadModel).path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("blobs/results").path)
                == [AttemptBlobs.resultID(jobID, attempt: 2)])
        #expect(await running.responder.call("GET", "/v1/jobs/\(jobID)/results/labels.npy").status == 200)
    }
}
