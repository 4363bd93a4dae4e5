import CubeML
import CubeReports
import Foundation

/// Jobs and models, behind the routes: submission (with the cube's upload, with one rollback
/// path), cancellation, deletion, result and model look-up.
struct JobDesk: Sendable {
    let configuration: ServiceConfiguration
    let store: any JobStore
    let blobs: BlobStore
    let cubes: CubeLibrary
    let pool: WorkerPool?

    /// A job to queue: what, on which cube, how, and the client's retry key.
    struct Submission: Sendable {
        var kind: JobKind
        var modelID: String?
        var paramsJSON: Data
        var priority: Int
        var idempotencyKey: String?
        /// What makes two requests with one key the same request (besides the parameters).
        var fingerprint: String
    }

    /// Queues a job on a stored cube, under the queue limits and the idempotency key.
    func submit(_ s: Submission, cube: CubeRecord, principal: Principal) throws -> JobRecord {
        // What only the cube can tell (a crop beyond its channels) is refused now, not by a worker.
        if s.kind == .train, cube.shape.count == 3, let p = try? JSONDecoder().decode(SegmentationParameters.self, from: s.paramsJSON) {
            do { try p.validate(channels: cube.shape[2]) }
            catch SegmentationError.invalidParameter(let name, let reason) {
                throw APIError.badRequest("invalid_parameter", "params.\(name) \(reason)")
            }
        }
        let new = NewJob(id: "job_" + Identifiers.random(), owner: principal.owner, kind: s.kind, priority: s.priority,
                         maxAttempts: configuration.maxAttempts, paramsJSON: s.paramsJSON, cubeID: cube.id, modelID: s.modelID,
                         idempotencyKey: s.idempotencyKey, requestHash: Self.requestHash(s.fingerprint, s.paramsJSON))
        let outcome = try store.enqueue(new, limits: QueueLimits(total: configuration.maxQueuedJobs, perOwner: configuration.maxQueuedJobsPerToken),
                                        now: Date())
        if case .created = outcome { pool?.notify() }
        return outcome.job
    }

    /// The job an earlier request with this key created, if any (409 when that request
    /// differed); lets a retried upload answer without storing the cube twice.
    func earlier(_ s: Submission, principal: Principal) throws -> JobRecord? {
        guard let key = s.idempotencyKey, let existing = try store.job(idempotencyKey: key, owner: principal.owner) else { return nil }
        guard existing.requestHash == Self.requestHash(s.fingerprint, s.paramsJSON) else {
            throw StoreError.idempotencyMismatch(key: key, jobID: existing.id)
        }
        return existing
    }

    /// Stores the upload as a cube and queues a job on it. If the job cannot be queued, or
    /// the key names an earlier job, the new cube is removed again.
    func submit(_ s: Submission, upload: CubeUpload, principal: Principal) throws -> JobRecord {
        let cube = try cubes.ingest(upload, owner: principal.owner)
        do {
            let job = try submit(s, cube: cube, principal: principal)
            if job.cubeID != cube.id { try? cubes.deleteCube(cube.id, scope: nil) }
            return job
        } catch {
            try? cubes.deleteCube(cube.id, scope: nil)
            throw error
        }
    }

    func job(_ id: String, scope: String?) throws -> JobRecord {
        guard let job = try store.job(id: id, owner: scope) else { throw APIError.notFound("job_not_found", "no job \(id)") }
        return job
    }

    /// Cancels a queued job at once and asks a running one to stop at its next batch. Safe to
    /// retry: a cancelled job comes back as it is; one that ended otherwise is a 409.
    func cancel(_ id: String, scope: String?) throws -> JobRecord {
        let before = try job(id, scope: scope)
        if before.state == .cancelled { return before }
        guard !before.state.isFinished else {
            throw APIError.conflict("job_finished", "job \(id) already \(before.state.rawValue); there is nothing to cancel")
        }
        guard let after = try store.requestCancel(id: id, owner: scope, now: Date()) else {
            throw APIError.notFound("job_not_found", "no job \(id)")
        }
        if after.state == .running { pool?.cancelLocally(jobID: id) }
        return after
    }

    /// Removes a finished job and its result files; a queued or running one is a 409.
    func delete(_ id: String, scope: String?) throws {
        let job = try job(id, scope: scope)
        guard job.state.isFinished else {
            throw APIError.conflict("job_not_finished", "job \(id) is \(job.state.rawValue); cancel it first with POST /v1/jobs/\(id)/cancel")
        }
        if try store.deleteJob(id: id, owner: scope), let r = job.resultID { blobs.removeResult(r) }
    }

    // MARK: - Results

    /// The names `resultFile` serves for a succeeded job, sorted.
    func resultFileNames(_ id: String, scope: String?) throws -> [String] {
        Self.fileNames(in: try resultDirectory(id, scope: scope))
    }

    /// One result: a stored file, or one derived for another K.
    enum ResultPayload {
        case file(URL)
        case data(Data)
    }

    /// A result file by the name `resultFileNames` gives. `k` (a K tried) selects that K on
    /// `labels.png`, `labels.npy` and `clusters.json`; `style` applies to `labels.png`. Either
    /// elsewhere, or a K not tried, is a 400.
    func resultFile(_ id: String, name file: String, k kText: String?, style styleText: String?, scope: String?) throws -> ResultPayload {
        let dir = try resultDirectory(id, scope: scope)
        let available = Self.fileNames(in: dir)
        guard available.contains(file) else {
            throw APIError.notFound("result_not_found", "job \(id) has no result file \(file); it has \(available.joined(separator: ", "))")
        }
        var k: Int? = nil
        if let kText {
            guard ResultFiles.perKFileNames.contains(file) else {
                throw APIError.badRequest("invalid_query", "k selects a K only on \(ResultFiles.perKFileNames.sorted().joined(separator: ", ")); \(file) is about the chosen K")
            }
            let kept = ResultFiles.keptKs(in: available)
            guard let n = Int(kText), kept.contains(n) else {
                throw APIError.badRequest("invalid_query", "k must be one of the Ks tried (\(kept.map(String.init).joined(separator: ", "))), not \"\(kText)\"")
            }
            k = n
        }
        var style = ResultFiles.LabelStyle.palette
        if let styleText {
            guard file == "labels.png" else { throw APIError.badRequest("invalid_query", "style applies to labels.png only") }
            guard let st = ResultFiles.LabelStyle(rawValue: styleText) else { throw APIError.badRequest("invalid_query", "style must be palette or index") }
            style = st
        }
        var name = file
        switch (file, k) {
        case ("labels.png", _):
            if let k { name = ResultFiles.labelsFileName(k: k, style: style) } else if style == .index { name = "labels_index.png" }
        case ("labels.npy", let k?):
            let png = try Data(contentsOf: dir.appendingPathComponent(ResultFiles.labelsFileName(k: k, style: .index)))
            return .data(try ResultFiles.labelsNPY(fromIndexPNG: png))
        case ("clusters.json", let k?):
            return .data(try ResultFiles.clustersJSON(try Data(contentsOf: dir.appendingPathComponent(file)), k: k))
        default:
            break
        }
        let url = dir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw APIError.notFound("result_not_found", "job \(id) has no \(name)")
        }
        return .file(url)
    }

    private func resultDirectory(_ id: String, scope: String?) throws -> URL {
        let job = try job(id, scope: scope)
        guard job.state == .succeeded, let r = job.resultID else {
            throw APIError.conflict("job_not_succeeded", "job \(id) is \(job.state.rawValue); results exist once it has succeeded")
        }
        return blobs.resultDirectory(r)
    }

    /// The plain files of a result directory, sorted.
    static func fileNames(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    // MARK: - Models

    /// A model and its stored file.
    func model(_ id: String, scope: String?) throws -> (ModelRecord, URL) {
        guard let m = try store.model(id: id, owner: scope) else { throw APIError.notFound("model_not_found", "no model \(id)") }
        let url = blobs.modelURL(m.id)
        guard FileManager.default.fileExists(atPath: url.path) else { throw APIError.internalError("model \(id) has no file") }
        return (m, url)
    }

    /// Removes the row (409 while a job applies it), then the file.
    func deleteModel(_ id: String, scope: String?) throws {
        guard let m = try store.deleteModel(id: id, owner: scope) else { throw APIError.notFound("model_not_found", "no model \(id)") }
        blobs.removeModel(m.id)
    }

    static func requestHash(_ fingerprint: String, _ paramsJSON: Data) -> String {
        CryptoHelpers.sha256Hex(Data(fingerprint.utf8) + paramsJSON)
    }
}
