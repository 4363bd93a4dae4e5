import Foundation
import Testing
@testable import CubeService

/// A front with no workers and a separate worker on one PostgreSQL store and one data
/// directory, in one process (the multi-process version with SIGKILL is
/// `scripts/cluster_test.py`, run by `make test`).
@Suite(.enabled(if: StoreKind.postgresURL != nil, "needs CUBESEG_TEST_POSTGRES_URL (make test starts a server)"))
final class ClusterTests {
    let dir = makeServiceTestDirectory()
    let schema = "c_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    deinit {
        if let url = StoreKind.postgresURL, let location = try? PostgresLocation(url: url),
           let store = try? PostgresJobStore(location: location, maxConnections: 1, logger: quietLogger) {
            try? store.dropSchema(schema)
            store.close()
        }
        cleanUp(dir)
    }

    func configuration(workers: Int, _ edit: (inout ServiceConfiguration) -> Void = { _ in }) throws -> ServiceConfiguration {
        var c = testConfiguration(dir)
        let url = try #require(StoreKind.postgresURL)
        c.store = url + (url.contains("?") ? "&" : "?") + "schema=" + schema
        c.workers = workers
        edit(&c)
        return c
    }

    func front() throws -> RunningService {
        try buildService(configuration: try configuration(workers: 0), logger: quietLogger,
                         options: ServiceBuildOptions(engine: fakeEngine(), startHTTP: false, waitPollSeconds: 0.02))
    }

    @Test("a front with no workers queues; a worker elsewhere, woken by NOTIFY, runs the job; the front serves its results")
    func aWorkerProcessRunsWhatTheFrontAccepted() async throws {
        let front = try front(); defer { front.shutdown() }
        #expect(front.workers == nil)
        // Polling only once an hour: the job can only start soon through LISTEN/NOTIFY.
        let worker = try buildWorker(configuration: try configuration(workers: 1) { $0.pollSeconds = 3600 }, logger: quietLogger,
                                     engine: fakeEngine())
        defer { worker.shutdown() }
        let up = await front.responder.upload(makeCubeNpy().0)
        let cubeID = try #require(up.json["id"] as? String)
        let r = await front.responder.postJSON("/v1/jobs", ["cube_id": cubeID, "params": ["k_min": 2, "k_max": 3, "epochs": 3]])
        #expect(r.status == 202)
        let jobID = try #require(r.json["id"] as? String)
        let job = await waitFor(front.responder, jobID, ["succeeded", "failed"], seconds: 120)
        #expect(job["state"] as? String == "succeeded")
        #expect(await front.responder.call("GET", "/v1/jobs/\(jobID)/results/labels.npy").status == 200)
        #expect(await front.responder.call("GET", "/readyz").status == 200)
        // The front's /metrics shows the worker process's counters, from the database.
        let reported = await waitUntil(60) {
            let text = String(decoding: await front.responder.call("GET", "/metrics").body, as: UTF8.self)
            return text.contains("cubeseg_worker_jobs{worker=\"\(worker.pool.workerPrefix)\",event=\"succeeded\"} 1")
                && text.contains("cubeseg_worker_up{worker=\"\(worker.pool.workerPrefix)\"} 1")
        }
        #expect(reported)
    }

    @Test("cancelling at the front stops the job on its worker, through the database")
    func cancellingAtTheFrontStopsTheJobOnItsWorker() async throws {
        let front = try front(); defer { front.shutdown() }
        let worker = try buildWorker(configuration: try configuration(workers: 1), logger: quietLogger, engine: fakeEngine())
        defer { worker.shutdown() }
        let up = await front.responder.upload(makeCubeNpy().0)
        let cubeID = try #require(up.json["id"] as? String)
        let jobID = try #require(await front.responder.postJSON("/v1/jobs", ["cube_id": cubeID, "params": ["epochs": 100_000]]).json["id"] as? String)
        let running = await waitFor(front.responder, jobID, ["running"], seconds: 120)
        #expect(running["state"] as? String == "running")
        // Progress reaches the front through the database.
        let progressed = await waitUntil(60) {
            (await front.responder.call("GET", "/v1/jobs/\(jobID)").json["progress"] as? [String: Any])?["epoch"] != nil
        }
        #expect(progressed)
        #expect(await front.responder.call("POST", "/v1/jobs/\(jobID)/cancel").status == 202)
        let ended = await waitFor(front.responder, jobID, ["cancelled", "failed", "succeeded"], seconds: 120)
        #expect(ended["state"] as? String == "cancelled")
        #expect(worker.pool.runningJobIDs.isEmpty)
    }

    @Test("a job row cached for pollers follows changes made by another process, through NOTIFY")
    func cachedJobRowsFollowChangesElsewhere() async throws {
        guard case .postgres(let location) = try configuration(workers: 1).storeLocation else { Issue.record("not PostgreSQL"); return }
        // The front's cache would keep a row for an hour: only a notification can refresh it.
        let front = try PostgresJobStore(location: location, maxConnections: 2, cachedJobMaxAge: .seconds(3600), logger: quietLogger)
        let worker = try PostgresJobStore(location: location, maxConnections: 2, logger: quietLogger)
        defer { front.close(); worker.close() }
        let now = Date()
        _ = try front.enqueue(NewJob(id: "polled", owner: "alice", kind: .train, maxAttempts: 3, paramsJSON: Data("{}".utf8), cubeID: "c"),
                              limits: QueueLimits(total: 10, perOwner: 10), now: now)
        // Read until the row is served from the cache (the listener is up), then change it elsewhere.
        #expect(await waitUntil(60) { (try? front.job(id: "polled", owner: nil))?.state == .queued && front.recent.lookup("polled", owner: nil) != nil })
        let claimed = try #require(try worker.claim(worker: "w", leaseSeconds: 30, now: now))
        #expect(await waitUntil(60) { (try? front.job(id: "polled", owner: "alice"))?.state == .running })
        #expect(try front.job(id: "polled", owner: "bob") == nil)
        #expect(try worker.finish(jobID: "polled", leaseToken: claimed.leaseToken!, outcome: .cancelled, now: now))
        #expect(await waitUntil(60) { (try? front.job(id: "polled", owner: nil))?.state == .cancelled })
    }
}

@Suite struct RecentJobRowsTests {
    func record(_ id: String, owner: String = "alice", state: JobState = .queued) -> JobRecord {
        JobRecord(id: id, owner: owner, kind: .train, state: state, priority: 0, attempt: 0, maxAttempts: 3, runAfter: Date(),
                  cancelRequested: false, paramsJSON: Data(), cubeID: "c", createdAt: Date())
    }

    @Test("rows are cached only while listening, per owner, and a read that raced a change is not kept")
    func cachingRules() {
        let cache = RecentJobRows(maxAge: .seconds(3600))
        cache.store(record("a"), readAt: cache.generation, fetched: .now)
        #expect(cache.lookup("a", owner: nil) == nil)   // not listening: nothing kept
        cache.setListening(true)
        cache.store(record("a"), readAt: cache.generation, fetched: .now)
        #expect(cache.lookup("a", owner: nil)??.id == "a")
        #expect(cache.lookup("a", owner: "alice")??.id == "a")
        #expect(cache.lookup("a", owner: "bob") == .some(nil))   // known, but not bob's
        // A read in flight while the row changed must not be kept.
        let before = cache.generation
        cache.invalidate("a")
        cache.store(record("a", state: .queued), readAt: before, fetched: .now)
        #expect(cache.lookup("a", owner: nil) == nil)
        // Losing the connection forgets everything.
        cache.store(record("b"), readAt: cache.generation, fetched: .now)
        cache.setListening(false)
        #expect(cache.lookup("b", owner: nil) == nil)
    }

    @Test("entries older than maxAge are not served")
    func entriesExpire() {
        let cache = RecentJobRows(maxAge: .seconds(1))
        cache.setListening(true)
        cache.store(record("a"), readAt: cache.generation, fetched: .now - .seconds(2))
        #expect(cache.lookup("a", owner: nil) == nil)
    }
}

