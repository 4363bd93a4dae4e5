import Foundation
import Testing
@testable import CubeService

/// The stores a conformance test runs against: SQLite always; PostgreSQL when the test run
/// has a server (`make test` starts a private one and sets `CUBESEG_TEST_POSTGRES_URL`).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    static var postgresURL: String? { ProcessInfo.processInfo.environment["CUBESEG_TEST_POSTGRES_URL"] }
    static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
    var testDescription: String { rawValue }
}

/// Opens stores for tests: SQLite files in a temporary directory, PostgreSQL stores each in a
/// schema of their own (dropped at the end), so that tests never see each other's rows.
final class TestStores: @unchecked Sendable {
    let dir = makeServiceTestDirectory()
    private var schemas: [String] = []
    private var opened: [any JobStore] = []

    /// Names a new store without opening it: a SQLite file or a PostgreSQL schema.
    enum Name { case sqlite(path: String), postgres(schema: String) }

    func newName(_ kind: StoreKind) -> Name {
        switch kind {
        case .sqlite: return .sqlite(path: dir.appendingPathComponent("\(UUID().uuidString).sqlite").path)
        case .postgres:
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            schemas.append(schema)
            return .postgres(schema: schema)
        }
    }

    /// Opens (creating and migrating) the store `name`; every call is a new connection pool.
    func open(_ name: Name) throws -> any JobStore {
        switch name {
        case .sqlite(let path): return remember(try SQLiteJobStore(path: path))
        case .postgres(let schema):
            let url = try #require(StoreKind.postgresURL)
            let separator = url.contains("?") ? "&" : "?"
            return remember(try PostgresJobStore(location: try PostgresLocation(url: url + separator + "schema=" + schema),
                                                 maxConnections: 4, logger: quietLogger))
        }
    }

    /// A new, empty store.
    func open(_ kind: StoreKind) throws -> any JobStore { try open(newName(kind)) }

    /// Another connection (pool, file handle) to the same store as `store`.
    func reopen(_ store: any JobStore) throws -> any JobStore {
        if let s = store as? SQLiteJobStore { return try open(.sqlite(path: s.path)) }
        let p = try #require(store as? PostgresJobStore)
        return try open(.postgres(schema: try #require(p.location.schema)))
    }

    private let lock = NSLock()
    private func remember(_ s: any JobStore) -> any JobStore { lock.withLock { opened.append(s) }; return s }

    deinit {
        if let pg = opened.first(where: { $0 is PostgresJobStore }) as? PostgresJobStore {
            for schema in schemas { try? pg.dropSchema(schema) }
        }
        for s in opened { s.close() }
        cleanUp(dir)
    }
}

/// One suite for every `JobStore`: the queue's semantics (claims, leases, fencing, reaping,
/// retries, idempotency, limits, ownership, paging, cancellation) hold the same on SQLite and
/// on PostgreSQL.
@Suite final class JobStoreConformanceTests {
    let stores = TestStores()
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let limits = QueueLimits(total: 100, perOwner: 100)
    let noDelay = RetryPolicy(baseSeconds: 0)

    func open(_ kind: StoreKind) throws -> any JobStore { try stores.open(kind) }

    func cube(_ id: String, owner: String = "alice") -> CubeRecord {
        CubeRecord(id: id, owner: owner, name: id, format: "npy", shape: [2, 3, 4], dtype: "float32", axisJSON: Data("{}".utf8),
                   size: 96, sha256: "ab", createdAt: t0, blobPath: "cubes/\(id)/cube.npy", openOptionsJSON: Data("{}".utf8))
    }

    func newJob(_ id: String, owner: String = "alice", priority: Int = 0, maxAttempts: Int = 3, key: String? = nil, hash: String? = nil) -> NewJob {
        NewJob(id: id, owner: owner, kind: .train, priority: priority, maxAttempts: maxAttempts, paramsJSON: Data("{}".utf8),
               cubeID: "c1", idempotencyKey: key, requestHash: hash)
    }

    @discardableResult
    func enqueue(_ store: any JobStore, _ j: NewJob, at t: Date? = nil) throws -> JobRecord {
        try store.enqueue(j, limits: limits, now: t ?? t0).job
    }

    @Test(arguments: StoreKind.available) func claimTakesTheHighestPriorityThenTheOldestAndCountsTheAttempt(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a"), at: t0)
        try enqueue(store, newJob("b", priority: 5), at: t0.addingTimeInterval(1))
        try enqueue(store, newJob("c"), at: t0.addingTimeInterval(2))
        let first = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(3)))
        #expect(first.id == "b")
        #expect(first.state == .running)
        #expect(first.attempt == 1)
        #expect(first.leaseToken != nil)
        #expect(first.leaseExpiresAt == t0.addingTimeInterval(13))
        #expect(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(3))?.id == "a")
        #expect(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(3))?.id == "c")
        #expect(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(3)) == nil)
    }

    @Test(arguments: StoreKind.available) func heartbeatFinishAndReleaseActOnlyUnderTheCurrentLease(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a"))
        let job = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        let token = try #require(job.leaseToken)
        #expect(try store.heartbeat(jobID: "a", leaseToken: "stale", leaseSeconds: 10, progress: nil, now: t0) == .lost)
        #expect(try store.heartbeat(jobID: "a", leaseToken: token, leaseSeconds: 10, progress: Data("{\"phase\":\"training\"}".utf8),
                                    now: t0.addingTimeInterval(5)) == .renewed(cancelRequested: false))
        let renewed = try #require(try store.job(id: "a", owner: nil))
        #expect(renewed.leaseExpiresAt == t0.addingTimeInterval(15))
        #expect(renewed.progressJSON == Data("{\"phase\":\"training\"}".utf8))
        #expect(try store.finish(jobID: "a", leaseToken: "stale", outcome: .cancelled, now: t0) == false)
        #expect(try store.release(jobID: "a", leaseToken: "stale", now: t0) == false)
        #expect(try store.finish(jobID: "a", leaseToken: token, outcome: .succeeded(resultID: "r1", model: nil), now: t0.addingTimeInterval(6)))
        let done = try #require(try store.job(id: "a", owner: nil))
        #expect(done.state == .succeeded)
        #expect(done.resultID == "r1")
        #expect(done.leaseToken == nil)
        // A finished job takes no more heartbeats or finishes, even with its old token.
        #expect(try store.heartbeat(jobID: "a", leaseToken: token, leaseSeconds: 10, progress: nil, now: t0) == .lost)
        #expect(try store.finish(jobID: "a", leaseToken: token, outcome: .cancelled, now: t0) == false)
    }

    @Test(arguments: StoreKind.available) func theReaperRequeuesExpiredLeasesAndFailsThemAfterMaxAttempts(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a", maxAttempts: 2))
        var now = t0
        let first = try #require(try store.claim(worker: "w1", leaseSeconds: 10, now: now))
        #expect(try store.reapExpiredLeases(now: now.addingTimeInterval(9), retry: noDelay) == ReapReport())
        now = now.addingTimeInterval(11)
        #expect(try store.reapExpiredLeases(now: now, retry: noDelay) == ReapReport(requeued: ["a"]))
        let requeued = try #require(try store.job(id: "a", owner: nil))
        #expect(requeued.state == .queued)
        #expect(requeued.attempt == 1)
        // The first worker comes back too late: its lease is gone.
        #expect(try store.finish(jobID: "a", leaseToken: first.leaseToken!, outcome: .succeeded(resultID: "late", model: nil), now: now) == false)
        let second = try #require(try store.claim(worker: "w2", leaseSeconds: 10, now: now))
        #expect(second.attempt == 2)
        now = now.addingTimeInterval(11)
        #expect(try store.reapExpiredLeases(now: now, retry: noDelay) == ReapReport(failed: ["a"]))
        let failed = try #require(try store.job(id: "a", owner: nil))
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("attempt 2 of 2") == true)
        #expect(try store.claim(worker: "w3", leaseSeconds: 10, now: now) == nil)
    }

    @Test(arguments: StoreKind.available) func theReaperLeavesAJobThatFinishedUnderItsLeaseAlone(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a"))
        let job = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        #expect(try store.finish(jobID: "a", leaseToken: job.leaseToken!, outcome: .succeeded(resultID: "r", model: nil), now: t0.addingTimeInterval(1)))
        #expect(try store.reapExpiredLeases(now: t0.addingTimeInterval(60), retry: noDelay) == ReapReport())
        #expect(try store.job(id: "a", owner: nil)?.state == .succeeded)
    }

    @Test(arguments: StoreKind.available) func retriesWaitForTheirBackOffAndReleaseDoesNotCountTheAttempt(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a"))
        let job = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        #expect(try store.release(jobID: "a", leaseToken: job.leaseToken!, now: t0))
        #expect(try store.job(id: "a", owner: nil)?.attempt == 0)
        let again = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        #expect(again.attempt == 1)
        #expect(try store.finish(jobID: "a", leaseToken: again.leaseToken!,
                                 outcome: .failed(error: "disk full", retryAfter: t0.addingTimeInterval(30)), now: t0))
        let waiting = try #require(try store.job(id: "a", owner: nil))
        #expect(waiting.state == .queued)
        #expect(waiting.error == "disk full")
        #expect(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(29)) == nil)
        #expect(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(31))?.attempt == 2)
    }

    @Test(arguments: StoreKind.available) func aFailureWithoutRetryOrOnTheLastAttemptIsFinal(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a", maxAttempts: 1))
        let job = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        #expect(try store.finish(jobID: "a", leaseToken: job.leaseToken!, outcome: .failed(error: "boom", retryAfter: t0), now: t0))
        #expect(try store.job(id: "a", owner: nil)?.state == .failed)
    }

    @Test func backOffGrowsExponentiallyWithinItsJitter() {
        let p = RetryPolicy(baseSeconds: 2, capSeconds: 100)
        for attempt in 1...4 {
            let d = p.delay(afterAttempt: attempt)
            let base = 2 * pow(2, Double(attempt - 1))
            #expect(d >= base * 0.5 && d < base * 1.5)
        }
        #expect(p.delay(afterAttempt: 20) <= 100)
    }

    @Test(arguments: StoreKind.available) func anIdempotencyKeyReturnsTheSameJobAndRejectsADifferentRequest(_ kind: StoreKind) throws {
        let store = try open(kind)
        let first = try store.enqueue(newJob("a", key: "k1", hash: "h1"), limits: limits, now: t0)
        #expect(first == .created(first.job))
        let again = try store.enqueue(newJob("b", key: "k1", hash: "h1"), limits: limits, now: t0)
        #expect(again == .existing(first.job))
        #expect(throws: StoreError.idempotencyMismatch(key: "k1", jobID: "a")) {
            try store.enqueue(newJob("c", key: "k1", hash: "h2"), limits: limits, now: t0)
        }
        // Keys are per owner.
        #expect(try store.enqueue(newJob("d", owner: "bob", key: "k1", hash: "h1"), limits: limits, now: t0) == .created(try store.job(id: "d", owner: nil)!))
    }

    @Test(arguments: StoreKind.available) func queueLimitsHoldOverallAndPerOwner(_ kind: StoreKind) throws {
        let store = try open(kind)
        let tight = QueueLimits(total: 3, perOwner: 2)
        _ = try store.enqueue(newJob("a"), limits: tight, now: t0)
        _ = try store.enqueue(newJob("b"), limits: tight, now: t0)
        #expect(throws: StoreError.queueFull(queued: 2, limit: 2, perOwner: true)) { try store.enqueue(newJob("c"), limits: tight, now: t0) }
        _ = try store.enqueue(newJob("d", owner: "bob"), limits: tight, now: t0)
        #expect(throws: StoreError.queueFull(queued: 3, limit: 3, perOwner: false)) { try store.enqueue(newJob("e", owner: "carol"), limits: tight, now: t0) }
    }

    @Test(arguments: StoreKind.available) func ownersSeeOnlyTheirOwnRowsAndAdminsSeeAll(_ kind: StoreKind) throws {
        let store = try open(kind)
        try store.insertCube(cube("c1"))
        try store.insertCube(cube("c2", owner: "bob"))
        try enqueue(store, newJob("a"))
        try enqueue(store, newJob("b", owner: "bob"))
        #expect(try store.cube(id: "c2", owner: "alice") == nil)
        #expect(try store.cube(id: "c2", owner: nil)?.owner == "bob")
        #expect(try store.listCubes(owner: "alice", limit: 10, after: nil).map(\.id) == ["c1"])
        #expect(try store.job(id: "b", owner: "alice") == nil)
        #expect(try store.listJobs(owner: "alice", state: nil, limit: 10, cursor: nil).jobs.map(\.id) == ["a"])
        #expect(try store.listJobs(owner: nil, state: nil, limit: 10, cursor: nil).jobs.count == 2)
        #expect(try store.requestCancel(id: "b", owner: "alice", now: t0) == nil)
        #expect(try store.job(id: "b", owner: nil)?.state == .queued)
        #expect(try store.deleteCube(id: "c2", owner: "alice") == nil)
    }

    @Test(arguments: StoreKind.available) func jobListsPageWithCursorsAndFilterByState(_ kind: StoreKind) throws {
        let store = try open(kind)
        for i in 0..<5 { try enqueue(store, newJob("j\(i)"), at: t0.addingTimeInterval(Double(i))) }
        _ = try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(10))  // j0 runs
        let p1 = try store.listJobs(owner: "alice", state: nil, limit: 2, cursor: nil)
        #expect(p1.jobs.map(\.id) == ["j4", "j3"])
        let p2 = try store.listJobs(owner: "alice", state: nil, limit: 2, cursor: p1.nextCursor)
        #expect(p2.jobs.map(\.id) == ["j2", "j1"])
        let p3 = try store.listJobs(owner: "alice", state: nil, limit: 2, cursor: p2.nextCursor)
        #expect(p3.jobs.map(\.id) == ["j0"])
        #expect(p3.nextCursor == nil)
        #expect(try store.listJobs(owner: "alice", state: .running, limit: 10, cursor: nil).jobs.map(\.id) == ["j0"])
        #expect(throws: StoreError.badCursor("nonsense")) { try store.listJobs(owner: nil, state: nil, limit: 2, cursor: "nonsense") }
    }

    @Test(arguments: StoreKind.available) func cancellingStopsAQueuedJobAtOnceAndFlagsARunningOne(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a"), at: t0)
        try enqueue(store, newJob("b"), at: t0.addingTimeInterval(1))
        let running = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(2)))
        #expect(running.id == "a")
        #expect(try store.requestCancel(id: "b", owner: "alice", now: t0)?.state == .cancelled)
        let flagged = try #require(try store.requestCancel(id: "a", owner: "alice", now: t0))
        #expect(flagged.state == .running && flagged.cancelRequested)
        #expect(try store.heartbeat(jobID: "a", leaseToken: running.leaseToken!, leaseSeconds: 10, progress: nil, now: t0) == .renewed(cancelRequested: true))
        // Only finished jobs can be deleted.
        #expect(try store.deleteJob(id: "a", owner: "alice") == false)
        #expect(try store.deleteJob(id: "b", owner: "alice"))
        #expect(try store.job(id: "b", owner: nil) == nil)
    }

    @Test(arguments: StoreKind.available) func aCubeUsedByAnUnfinishedJobCannotBeDeleted(_ kind: StoreKind) throws {
        let store = try open(kind)
        try store.insertCube(cube("c1"))
        try enqueue(store, newJob("a"))
        #expect(throws: StoreError.cubeInUse(cubeID: "c1", jobID: "a")) { try store.deleteCube(id: "c1", owner: "alice") }
        _ = try store.requestCancel(id: "a", owner: nil, now: t0)
        #expect(try store.deleteCube(id: "c1", owner: "alice")?.id == "c1")
    }

    @Test(arguments: StoreKind.available) func aSucceededTrainingJobRegistersItsModelInTheSameTransaction(_ kind: StoreKind) throws {
        let store = try open(kind)
        try enqueue(store, newJob("a"))
        let job = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        let model = ModelRecord(id: "m1", owner: "alice", jobID: "a", cubeID: "c1", chosenK: 4, createdAt: t0)
        #expect(try store.finish(jobID: "a", leaseToken: job.leaseToken!, outcome: .succeeded(resultID: "r", model: model), now: t0))
        #expect(try store.model(id: "m1", owner: "alice") == model)
        #expect(try store.model(id: "m1", owner: "bob") == nil)
        #expect(try store.job(id: "a", owner: nil)?.modelID == "m1")
        #expect(try store.listModels(owner: nil, limit: 10, after: nil) == [model])
        #expect(try store.deleteModel(id: "m1", owner: "alice") == model)
        #expect(try store.model(id: "m1", owner: nil) == nil)
    }

    @Test(arguments: StoreKind.available) func everythingSurvivesReopeningTheStore(_ kind: StoreKind) throws {
        let store = try open(kind)
        try store.insertCube(cube("c1"))
        try enqueue(store, newJob("a"), at: t0)
        try enqueue(store, newJob("b"), at: t0.addingTimeInterval(1))
        _ = try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(2))
        let reopened = try stores.reopen(store)
        #expect(try reopened.cube(id: "c1", owner: nil) == cube("c1"))
        #expect(try reopened.job(id: "a", owner: nil)?.state == .running)
        #expect(try reopened.reapExpiredLeases(now: t0.addingTimeInterval(20), retry: noDelay) == ReapReport(requeued: ["a"]))
        // The requeued job runs after its back-off, behind jobs that were waiting already.
        #expect(try reopened.claim(worker: "w2", leaseSeconds: 10, now: t0.addingTimeInterval(20))?.id == "b")
        #expect(try reopened.claim(worker: "w2", leaseSeconds: 10, now: t0.addingTimeInterval(20))?.id == "a")
    }

    @Test(arguments: StoreKind.available) func concurrentClaimersNeverShareAJob(_ kind: StoreKind) throws {
        let store = try open(kind)
        for i in 0..<40 { try enqueue(store, newJob("j\(i)"), at: t0.addingTimeInterval(Double(i))) }
        let first = store, second = try stores.reopen(store), now = t0.addingTimeInterval(100)
        let claimed = Claimed()
        DispatchQueue.concurrentPerform(iterations: 4) { w in
            let s = w % 2 == 0 ? first : second
            while let j = try? s.claim(worker: "w\(w)", leaseSeconds: 10, now: now) { claimed.add(j.id) }
        }
        #expect(claimed.ids.count == 40)
        #expect(Set(claimed.ids).count == 40)
    }

    @Test("several processes opening one new store at once migrate it once, whoever comes first", arguments: StoreKind.available)
    func concurrentOpensMigrateOnce(_ kind: StoreKind) throws {
        let name = stores.newName(kind), stores = self.stores
        let opened = Claimed()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try stores.open(name).countJobs(byStateFor: nil); opened.add("ok") } catch { opened.add("\(error)") }
        }
        #expect(opened.ids == ["ok", "ok", "ok", "ok"])
    }

    @Test(arguments: StoreKind.available) func workerReportsAreUpsertedAndForgottenOnceOld(_ kind: StoreKind) throws {
        let store = try open(kind)
        let early = t0.addingTimeInterval(-100)
        try store.recordWorker(WorkerStatus(id: "h:1", startedAt: t0, seenAt: t0, claimed: 1, running: 1), forgettingBefore: early)
        let later = WorkerStatus(id: "h:1", startedAt: t0, seenAt: t0.addingTimeInterval(5), claimed: 2, succeeded: 1, failed: 1)
        try store.recordWorker(later, forgettingBefore: early)
        #expect(try store.workers(seenSince: t0) == [later])
        let other = WorkerStatus(id: "h:2", startedAt: t0, seenAt: t0.addingTimeInterval(10), stopped: true)
        try store.recordWorker(other, forgettingBefore: early)
        #expect(try store.workers(seenSince: t0.addingTimeInterval(6)) == [other])
        #expect(try store.workers(seenSince: t0).map(\.id) == ["h:1", "h:2"])
        // A report forgets the workers not seen since its cutoff.
        try store.recordWorker(other, forgettingBefore: t0.addingTimeInterval(6))
        #expect(try store.workers(seenSince: early) == [other])
    }

    @Test("two workers racing for one job: exactly one claims it, over many trials", arguments: StoreKind.available)
    func twoWorkersRacingForOneJobExactlyOneClaimsIt(_ kind: StoreKind) throws {
        let first = try open(kind), second = try stores.reopen(first)
        let trials = 100
        var winners: [Int] = []
        for trial in 0..<trials {
            try enqueue(first, newJob("race\(trial)"), at: t0.addingTimeInterval(Double(trial)))
            let claimed = Claimed()
            let go = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0), now = t0.addingTimeInterval(1e6)
            for (w, s) in [first, second].enumerated() {
                Thread {
                    go.wait()   // both threads released together
                    if let j = try? s.claim(worker: "w\(w)", leaseSeconds: 10, now: now) { claimed.add("\(w):\(j.id)") }
                    done.signal()
                }.start()
            }
            go.signal(); go.signal()
            done.wait(); done.wait()
            winners.append(claimed.ids.count)
            #expect(claimed.ids.count == 1, "trial \(trial): \(claimed.ids)")
        }
        #expect(winners.count == trials)
        // Every job was claimed once and only once.
        #expect(try first.countJobs(byStateFor: nil)[.running] == trials)
    }
}

/// `make test` sets `CUBESEG_REQUIRE_POSTGRES=1` with the server it starts: then the
/// conformance suite must have had PostgreSQL, not quietly SQLite alone.
@Test("under make test the store suite runs against PostgreSQL too",
      .enabled(if: ProcessInfo.processInfo.environment["CUBESEG_REQUIRE_POSTGRES"] == "1"))
func theStoreSuiteHasPostgreSQLUnderMakeTest() throws {
    #expect(StoreKind.available == [.sqlite, .postgres])
    let stores = TestStores()
    #expect(throws: Never.self) { try stores.open(.postgres).ping() }
}

final class Claimed: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ id: String) { lock.lock(); list.append(id); lock.unlock() }
    var ids: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
