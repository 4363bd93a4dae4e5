import CubeFormats
import CubeML
import Foundation

/// JSON bodies of the API (snake_case keys through `JSONEncoder.snakeCase`).
struct CubeView: Encodable {
    var id: String
    var name: String
    var owner: String
    var format: String
    /// (height, width, channels).
    var shape: [Int]
    var dtype: String
    var spectralAxis: SpectralAxisView?
    var size: Int64
    var sha256: String
    var createdAt: Date
    var links: [String: String]

    init(_ c: CubeRecord) {
        id = c.id; name = c.name; owner = c.owner; format = c.format; shape = c.shape; dtype = c.dtype
        spectralAxis = (try? JSONDecoder().decode(SpectralAxis.self, from: c.axisJSON)).map(SpectralAxisView.init)
        size = c.size; sha256 = c.sha256; createdAt = c.createdAt
        links = ["self": "/v1/cubes/\(c.id)", "preview": "/v1/cubes/\(c.id)/preview.png"]
    }
}

/// The spectral axis, summarised: unit, quantity, channel count, first and last value
/// (the full axis is in the cube and in `clusters.json`).
struct SpectralAxisView: Encodable {
    var unit: String
    var quantity: String
    var channels: Int
    var first: Double?
    var last: Double?
    init(_ a: SpectralAxis) {
        unit = a.unit.rawValue; quantity = a.quantity.rawValue; channels = a.values.count
        first = a.values.first; last = a.values.last
    }
}

struct JobView: Encodable {
    var id: String
    var owner: String
    var kind: String
    var state: String
    var cubeId: String
    var modelId: String?
    /// Every parameter of the run, nulls included.
    var params: JSONValue?
    var attempt: Int
    var maxAttempts: Int
    var cancelRequested: Bool
    /// While queued or running; a failed or cancelled job keeps where it stopped; a
    /// succeeded one has none (see `chosen_k`).
    var progress: SegmentationProgress?
    /// Succeeded jobs: the K of `labels.png` and why it was chosen.
    var chosenK: Int?
    var kReason: String?
    var error: String?
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    /// When a requeued job may run again.
    var runAfter: Date?
    /// Seconds from first start to finish (or to now while running).
    var elapsedSeconds: Double?
    var links: [String: String]

    init(_ j: JobRecord, now: Date = Date()) {
        id = j.id; owner = j.owner; kind = j.kind.rawValue; state = j.state.rawValue; cubeId = j.cubeID
        modelId = j.modelID
        params = JSONValue(data: j.paramsJSON)
        attempt = j.attempt; maxAttempts = j.maxAttempts; cancelRequested = j.cancelRequested
        progress = j.state == .succeeded ? nil : j.progressJSON.flatMap { try? JSONDecoder.snakeCase.decode(SegmentationProgress.self, from: $0) }
        chosenK = j.choice?.k
        kReason = j.choice?.reason
        error = j.error; createdAt = j.createdAt; startedAt = j.startedAt; finishedAt = j.finishedAt
        runAfter = j.state == .queued && j.runAfter > now ? j.runAfter : nil
        elapsedSeconds = Self.elapsedSeconds(j, now: now)
        var l = ["self": "/v1/jobs/\(j.id)", "cube": "/v1/cubes/\(j.cubeID)"]
        if j.state == .succeeded { l["results"] = "/v1/jobs/\(j.id)/results" }
        if let m = j.modelID { l["model"] = "/v1/models/\(m)" }
        links = l
    }

    /// Seconds from first start to finish (or to `now` while running), to the millisecond.
    static func elapsedSeconds(_ j: JobRecord, now: Date = Date()) -> Double? {
        guard let s = j.startedAt else { return nil }
        return ((j.finishedAt ?? (j.state == .running ? now : s)).timeIntervalSince(s) * 1000).rounded() / 1000
    }
}

struct ModelView: Encodable {
    var id: String
    var owner: String
    var jobId: String
    var cubeId: String
    var chosenK: Int
    var createdAt: Date
    var links: [String: String]
    init(_ m: ModelRecord) {
        id = m.id; owner = m.owner; jobId = m.jobID; cubeId = m.cubeID; chosenK = m.chosenK; createdAt = m.createdAt
        links = ["self": "/v1/models/\(m.id)", "apply": "/v1/models/\(m.id)/apply", "job": "/v1/jobs/\(m.jobID)"]
    }
}

struct ListView<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?
}

struct ResultFilesView: Encodable {
    var jobId: String
    var files: [String]
}

/// `GET /v1/cubes/{id}/spectrum`: one pixel's spectrum, `y[i]` at `x[i]` in `unit` (the
/// cube's spectral axis, every channel), values in the cube's own units; a value that is not
/// finite (NaN in the file) is null.
struct PixelSpectrumView: Encodable {
    struct Series: Encodable {
        var x: [Double]
        var unit: String
        var y: [Float?]
    }
    var row: Int
    var col: Int
    var spectrum: Series
}
