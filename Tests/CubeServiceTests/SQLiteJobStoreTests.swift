import Foundation
import Testing
@testable import CubeService

@Suite final class SQLiteJobStoreTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }
    let store: SQLiteJobStore
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let limits = QueueLimits(total: 100, perOwner: 100)
    let noDelay = RetryPolicy(baseSeconds: 0)

    init() throws { store = try SQLiteJobStore(path: dir.appendingPathComponent("q.sqlite").path) }

    func cube(_ id: String, owner: String = "alice") -> CubeRecord {
        CubeRecord(id: id, owner: owner, name: id, format: "npy", shape: [2, 3, 4], dtype: "float32", axisJSON: Data("{}".utf8),
                   size: 96, sha256: "ab", createdAt: t0, blobPath: "cubes/\(id)/cube.npy", openOptionsJSON: Data("{}".utf8))
    }

    func newJob(_ id: String, owner: String = "alice", priority: Int = 0, maxAttempts: Int = 3, key: String? = nil, hash: String? = nil) -> NewJob {
        NewJob(id: id, owner: owner, kind: .train, priority: priority, maxAttempts: maxAttempts, paramsJSON: Data("{}".utf8),
               cubeID: "c1", idempotencyKey: key, requestHash: hash)
    }

    @discardableResult
    func enqueue(_ j: NewJob, at t: Date? = nil) throws -> JobRecord { try store.enqueue(j, limits: limits, now: t ?? t0).job }

    @Test func claimTakesTheHighestPriorityThenTheOldestAndCountsTheAttempt() throws {
        try enqueue(newJob("a"), at: t0)
        try enqueue(newJob("b", priority: 5), at: t0.addingTimeInterval(1))
        try enqueue(newJob("c"), at: t0.addingTimeInterval(2))
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

    @Test func heartbeatFinishAndReleaseActOnlyUnderTheCurrentLease() throws {
        try enqueue(newJob("a"))
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

    @Test func theReaperRequeuesExpiredLeasesAndFailsThemAfterMaxAttempts() throws {
        try enqueue(newJob("a", maxAttempts: 2))
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

    @Test func theReaperLeavesAJobThatFinishedUnderItsLeaseAlone() throws {
        try enqueue(newJob("a"))
        let job = try #require(try store.claim(worker: "w", leaseSeconds: 10, now: t0))
        #expect(try store.finish(jobID: "a", leaseToken: job.leaseToken!, outcome: .succeeded(resultID: "r", model: nil), now: t0.addingTimeInterval(1)))
        #expect(try store.reapExpiredLeases(now: t0.addingTimeInterval(60), retry: noDelay) == ReapReport())
        #expect(try store.job(id: "a", owner: nil)?.state == .succeeded)
    }

    @Test func retriesWaitForTheirBackOffAndReleaseDoesNotCountTheAttempt() throws {
        try enqueue(newJob("a"))
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

    @Test func aFailureWithoutRetryOrOnTheLastAttemptIsFinal() throws {
        try enqueue(newJob("a", maxAttempts: 1))
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

    @Test func anIdempotencyKeyReturnsTheSameJobAndRejectsADifferentRequest() throws {
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

    @Test func queueLimitsHoldOverallAndPerOwner() throws {
        let tight = QueueLimits(total: 3, perOwner: 2)
        _ = try store.enqueue(newJob("a"), limits: tight, now: t0)
        _ = try store.enqueue(newJob("b"), limits: tight, now: t0)
        #expect(throws: StoreError.queueFull(queued: 2, limit: 2, perOwner: true)) { try store.enqueue(newJob("c"), limits: tight, now: t0) }
        _ = try store.enqueue(newJob("d", owner: "bob"), limits: tight, now: t0)
        #expect(throws: StoreError.queueFull(queued: 3, limit: 3, perOwner: false)) { try store.enqueue(newJob("e", owner: "carol"), limits: tight, now: t0) }
    }

    @Test func ownersSeeOnlyTheirOwnRowsAndAdminsSeeAll() throws {
        try store.insertCube(cube("c1"))
        try store.insertCube(cube("c2", owner: "bob"))
        try enqueue(newJob("a"))
        try enqueue(newJob("b", owner: "bob"))
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

    @Test func jobListsPageWithCursorsAndFilterByState() throws {
        for i in 0..<5 { try enqueue(newJob("j\(i)"), at: t0.addingTimeInterval(Double(i))) }
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

    @Test func cancellingStopsAQueuedJobAtOnceAndFlagsARunningOne() throws {
        try enqueue(newJob("a"), at: t0)
        try enqueue(newJob("b"), at: t0.addingTimeInterval(1))
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

    @Test func aCubeUsedByAnUnfinishedJobCannotBeDeleted() throws {
        try store.insertCube(cube("c1"))
        try enqueue(newJob("a"))
        #expect(throws: StoreError.cubeInUse(cubeID: "c1", jobID: "a")) { try store.deleteCube(id: "c1", owner: "alice") }
        _ = try store.requestCancel(id: "a", owner: nil, now: t0)
        #expect(try store.deleteCube(id: "c1", owner: "alice")?.id == "c1")
    }

    @Test func aSucceededTrainingJobRegistersItsModelInTheSameTransaction() throws {
        try enqueue(newJob("a"))
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

    @Test func everythingSurvivesReopeningTheFile() throws {
        try store.insertCube(cube("c1"))
        try enqueue(newJob("a"), at: t0)
        try enqueue(newJob("b"), at: t0.addingTimeInterval(1))
        _ = try store.claim(worker: "w", leaseSeconds: 10, now: t0.addingTimeInterval(2))
        let reopened = try SQLiteJobStore(path: store.path)
        #expect(try reopened.cube(id: "c1", owner: nil) == cube("c1"))
        #expect(try reopened.job(id: "a", owner: nil)?.state == .running)
        #expect(try reopened.reapExpiredLeases(now: t0.addingTimeInterval(20), retry: noDelay) == ReapReport(requeued: ["a"]))
        // The requeued job runs after its back-off, behind jobs that were waiting already.
        #expect(try reopened.claim(worker: "w2", leaseSeconds: 10, now: t0.addingTimeInterval(20))?.id == "b")
        #expect(try reopened.claim(worker: "w2", leaseSeconds: 10, now: t0.addingTimeInterval(20))?.id == "a")
    }

    @Test func concurrentClaimersNeverShareAJob() throws {
        for i in 0..<40 { try enqueue(newJob("j\(i)"), at: t0.addingTimeInterval(Double(i))) }
        let first = store, second = try SQLiteJobStore(path: store.path), now = t0.addingTimeInterval(100)
        let claimed = Claimed()
        DispatchQueue.concurrentPerform(iterations: 4) { w in
            let s: SQLiteJobStore = w % 2 == 0 ? first : second
            while let j = try? s.claim(worker: "w\(w)", leaseSeconds: 10, now: now) { claimed.add(j.id) }
        }
        #expect(claimed.ids.count == 40)
        #expect(Set(claimed.ids).count == 40)
    }
}

final class Claimed: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ id: String) { lock.lock(); list.append(id); lock.unlock() }
    var ids: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
