import CubeFormats
import CubeML
import CubeReports
import Foundation
import Logging

/// Runs one claimed job to its end: opens the cube, segments it, writes the result files
/// and the model to the blob store, then finishes the job under its lease. When the lease is
/// lost it stops and writes nothing more; on shutdown it gives the job back to the queue.
struct JobRunner: Sendable {
    let store: any JobStore
    let blobs: BlobStore
    let engine: ServiceEngine
    let retry: RetryPolicy
    let metrics: ServiceMetrics
    let logger: Logger

    /// Why a run could not start or finish; `retryable` errors requeue the job (with back-off)
    /// while attempts remain.
    struct RunFailure: Error, CustomStringConvertible {
        var description: String
        var retryable: Bool
    }

    /// Runs the job to its end; returns the outcome (succeeded, failed, requeued, cancelled,
    /// lease_lost, ...), as recorded in the metrics.
    @discardableResult
    func run(_ running: RunningJob) -> String {
        let job = running.job
        let started = Date()
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log.info("job started", metadata: ["kind": "\(job.kind.rawValue)", "attempt": "\(job.attempt)/\(job.maxAttempts)"])
        // What an earlier attempt wrote before it died (killed between its writes and its
        // commit) goes now: that attempt's lease is gone, so nothing of it was committed.
        let leftovers = AttemptBlobs.removeEarlierAttempts(of: job, in: blobs)
        if !leftovers.isEmpty { log.warning("removed what an earlier attempt left", metadata: ["files": "\(leftovers)"]) }
        let outcome: String
        do {
            let result = try execute(running)
            outcome = try commit(result, running, log: log)
        } catch let error as SegmentationError where error == .cancelled {
            outcome = stopCancelled(running, log: log)
        } catch {
            outcome = fail(running, error: error, log: log)
        }
        let seconds = Date().timeIntervalSince(started)
        metrics.recordJobRun(kind: job.kind, outcome: outcome, seconds: seconds)
        log.info("job run ended", metadata: ["outcome": "\(outcome)", "seconds": "\(String(format: "%.2f", seconds))"])
        return outcome
    }

    /// Loads the inputs and runs the engine.
    private func execute(_ running: RunningJob) throws -> (SegmentationResult, Datacube, CubeRecord) {
        let job = running.job
        let parameters: SegmentationParameters
        do { parameters = try JSONDecoder().decode(SegmentationParameters.self, from: job.paramsJSON) }
        catch { throw RunFailure(description: "stored parameters are unreadable: \(error)", retryable: false) }
        guard let cubeRecord = try store.cube(id: job.cubeID, owner: nil) else {
            throw RunFailure(description: "cube \(job.cubeID) no longer exists", retryable: false)
        }
        let request = cubeRecord.openRequest
        let cube = try engine.openCube(blobs.url(relative: cubeRecord.blobPath), request)
        var model: TrainedModel? = nil
        if job.kind == .apply {
            guard let modelID = job.modelID else { throw RunFailure(description: "apply job without a model", retryable: false) }
            let data: Data
            do { data = try Data(contentsOf: blobs.modelURL(modelID)) }
            catch { throw RunFailure(description: "model \(modelID) no longer exists", retryable: false) }
            model = try TrainedModel.decode(data)
        }
        if running.shouldStop { throw SegmentationError.cancelled }
        let observer = SegmentationObserver(progress: { running.setProgress($0) }, isCancelled: { running.shouldStop })
        let result = try engine.segment(cube, model, parameters, observer)
        return (result, cube, cubeRecord)
    }

    /// Writes the results and finishes the job under its lease.
    private func commit(_ output: (SegmentationResult, Datacube, CubeRecord), _ running: RunningJob, log: Logger) throws -> String {
        let (result, cube, record) = output
        let job = running.job
        if running.leaseLost { log.warning("lease lost during the run; result dropped"); return "lease_lost" }
        // A cancelled job keeps no result; a finished run is kept even during shutdown.
        if running.cancelRequested { return stopCancelled(running, log: log) }
        let resultID = AttemptBlobs.resultID(job.id, attempt: job.attempt)
        let resultDir = blobs.resultDirectory(resultID)
        try blobs.writeDirectory(to: resultDir) { dir in try engine.writeResults(result, cube, record, dir) }
        var model: ModelRecord? = nil
        if job.kind == .train {
            let m = ModelRecord(id: AttemptBlobs.modelID(job.id, attempt: job.attempt), owner: job.owner, jobID: job.id, cubeID: job.cubeID,
                                chosenK: result.chosenK, createdAt: Date())
            try blobs.writeModel(try result.model.encoded(), modelID: m.id)
            model = m
        }
        let done = try store.finish(jobID: job.id, leaseToken: running.leaseToken,
                                    outcome: .succeeded(resultID: resultID, model: model,
                                                                        choice: KChoice(k: result.chosenK, reason: result.selection.reason)),
                                    now: Date())
        if !done {
            // Someone else owns the job now (the lease expired and it was reaped): undo our writes.
            blobs.removeResult(resultID)
            if let m = model { blobs.removeModel(m.id) }
            log.warning("lease lost before finishing; result dropped")
            return "lease_lost"
        }
        return "succeeded"
    }

    /// The run stopped on request: cancelled by the user, or handed back at shutdown.
    private func stopCancelled(_ running: RunningJob, log: Logger) -> String {
        let job = running.job
        do {
            if running.leaseLost { return "lease_lost" }
            if running.shuttingDown && !running.cancelRequested {
                _ = try store.release(jobID: job.id, leaseToken: running.leaseToken, now: Date())
                return "requeued"
            }
            _ = try store.finish(jobID: job.id, leaseToken: running.leaseToken, outcome: .cancelled, now: Date())
            return "cancelled"
        } catch {
            log.error("could not record the end of a cancelled run: \(error)")
            return "store_error"
        }
    }

    private func fail(_ running: RunningJob, error: any Error, log: Logger) -> String {
        let job = running.job
        if running.leaseLost { return "lease_lost" }
        let retryable: Bool
        switch error {
        case let e where ServerPaths.isOutOfSpace(e): retryable = true
        case let f as RunFailure: retryable = f.retryable
        case is SegmentationError, is CubeOpenFailure, is ModelFileError, is ResultFilesError: retryable = false
        default: retryable = true
        }
        let retryAfter = retryable ? Date().addingTimeInterval(retry.delay(afterAttempt: job.attempt)) : nil
        log.error("job run failed: \(error)", metadata: ["retryable": "\(retryable)"])
        do {
            _ = try store.finish(jobID: job.id, leaseToken: running.leaseToken,
                                 outcome: .failed(error: ServerPaths.redacted(String(describing: error)), retryAfter: retryAfter), now: Date())
        } catch {
            log.error("could not record the failure: \(error)")
        }
        return "failed"
    }
}

/// Random identifiers for cubes, jobs, results and models: 26 lowercase base-32 characters
/// (128 random bits), prefixed by the caller (`cub_`, `job_`, ...).
/// Result folders and model files are named by job and attempt, so that whoever runs attempt
/// N can remove what attempts 1..<N wrote and never committed: a worker killed between
/// writing and committing leaves nothing behind once its job runs again.
enum AttemptBlobs {
    static func resultID(_ jobID: String, attempt: Int) -> String { "res_\(suffix(jobID))_\(attempt)" }
    static func modelID(_ jobID: String, attempt: Int) -> String { "mdl_\(suffix(jobID))_\(attempt)" }
    private static func suffix(_ jobID: String) -> String { jobID.hasPrefix("job_") ? String(jobID.dropFirst(4)) : jobID }

    /// Removes the result folders and model files of `job`'s attempts up to its current one
    /// (a released run keeps its attempt number); returns those that existed. Only for a job
    /// this worker holds the lease of: no other worker writes these names.
    static func removeEarlierAttempts(of job: JobRecord, in blobs: BlobStore) -> [String] {
        guard job.attempt >= 1 else { return [] }
        var removed: [String] = []
        let fm = FileManager.default
        for attempt in 1...job.attempt {
            let result = blobs.resultDirectory(resultID(job.id, attempt: attempt))
            if fm.fileExists(atPath: result.path) { blobs.removeResult(resultID(job.id, attempt: attempt)); removed.append(result.lastPathComponent) }
            if job.kind == .train {
                let model = blobs.modelURL(modelID(job.id, attempt: attempt))
                if fm.fileExists(atPath: model.path) { blobs.removeModel(modelID(job.id, attempt: attempt)); removed.append(model.lastPathComponent) }
            }
        }
        return removed
    }
}

enum Identifiers {
    static func random() -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var g = SystemRandomNumberGenerator()
        return String((0..<26).map { _ in alphabet[Int(g.next() % 32)] })
    }
}
