import CubeFormats
import CubeML
import Foundation
import Logging
@testable import CubeService

/// A fresh directory, uniquely named `cubeseg-tests-<UUID>` under the temporary directory
/// ($TMPDIR, else /tmp). Its maker removes it with `cleanUp`: a suite class that gives each
/// test one (`let dir = makeServiceTestDirectory()`) does so in `deinit`; a single test uses
/// `withTemporaryDirectory` instead.
func makeServiceTestDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cubeseg-tests-" + UUID().uuidString, isDirectory: true)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Removes a directory from `makeServiceTestDirectory` with its contents.
func cleanUp(_ url: URL) { try? FileManager.default.removeItem(at: url) }

/// Runs `body` with a fresh directory from `makeServiceTestDirectory` and removes it with its
/// contents when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) rethrows -> T {
    let directory = makeServiceTestDirectory()
    defer { cleanUp(directory) }
    return try body(directory)
}

/// Runs `body` with a fresh directory from `makeServiceTestDirectory` and removes it with its
/// contents when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async rethrows -> T {
    let directory = makeServiceTestDirectory()
    defer { cleanUp(directory) }
    return try await body(directory)
}

let quietLogger: Logger = {
    var l = Logger(label: "cubeseg-tests")
    l.logLevel = .critical
    return l
}()

/// A small float32 cube as `.npy` bytes: two halves with different spectra (left: peak at
/// channel 1, right: peak at channel `channels - 2`), scaled so that row 0 is the brightest.
func makeCubeNpy(height: Int = 6, width: Int = 8, channels: Int = 5) -> (Data, [Float]) {
    var values = [Float](repeating: 0, count: height * width * channels)
    for y in 0..<height {
        for x in 0..<width {
            let peak = x < width / 2 ? 1 : channels - 2
            for c in 0..<channels {
                values[(y * width + x) * channels + c] = (c == peak ? 10 : 1) * Float(height - y)
            }
        }
    }
    return (NumPyWriter.encode(values, shape: [height, width, channels]), values)
}

/// The engine with a fast fake segmenter: labels each pixel by whether its spectrum peaks
/// in the first half of the channels (label 0) or not (label 1), for every K in
/// k_min...k_max (labels clamped to k-1). It reports progress and takes `epochs` steps of
/// 5 ms each, checking `isCancelled` at each step (so long jobs can be cancelled).
/// `failWith`: throws that error instead.
func fakeEngine(failWith: (any Error & Sendable)? = nil, runs: Counter? = nil) -> ServiceEngine {
    var e = ServiceEngine.live
    e.segment = { cube, model, p, observer in
        runs?.increment()
        if let failWith { throw failWith }
        for epoch in 0..<p.epochs {
            if observer.isCancelled() { throw SegmentationError.cancelled }
            observer.progress(SegmentationProgress(phase: .training, fraction: Double(epoch) / Double(max(1, p.epochs)),
                                                   epoch: epoch + 1, epochs: p.epochs, loss: 1.0 / Double(epoch + 1)))
            Thread.sleep(forTimeInterval: 0.005)
        }
        if observer.isCancelled() { throw SegmentationError.cancelled }
        return fakeResult(cube, p, model: model)
    }
    return e
}

func fakeLabels(_ cube: Datacube) -> [Int32] {
    let values = try! cube.readAll()
    return (0..<cube.pixelCount).map { i in
        let s = values[(i * cube.channels)..<((i + 1) * cube.channels)]
        let peak = s.firstIndex(of: s.max()!)! - i * cube.channels
        return peak < cube.channels / 2 ? 0 : 1
    }
}

func fakeResult(_ cube: Datacube, _ p: SegmentationParameters, model: TrainedModel?) -> SegmentationResult {
    let labels = fakeLabels(cube)
    var byK: [Int: [Int32]] = [:]
    var clustersByK: [Int: [ClusterSummary]] = [:]
    for k in p.kMin...p.kMax {
        byK[k] = labels.map { min($0, Int32(k - 1)) }
        clustersByK[k] = (0..<k).map { c in
            ClusterSummary(label: c, pixels: byK[k]!.filter { $0 == c }.count, centroid: [Float(c)],
                           meanSpectrum: [Float](repeating: 1, count: cube.channels), meanReconstruction: [0.5], meanInput: [0.5])
        }
    }
    let chosen = p.kMin
    let m = model ?? TrainedModel(
        architecture: Architecture(inputLength: cube.channels, encoderHidden: [], encodingDim: 1, latent: 1,
                                   decoderHidden: [], variational: false, dropout: 0),
        preprocessing: PreprocessingRecipe(sourceChannels: cube.channels, cropStart: 0, cropEnd: cube.channels,
                                           binEdges: Array(0...cube.channels), transform: .identity, smoothing: 0, backgroundThreshold: nil),
        tensors: [Tensor(name: "w", shape: [1], values: [0.5])], centroids: Tensor(name: "c", shape: [chosen, 1], values: (0..<chosen).map(Float.init)),
        chosenK: chosen, kMin: p.kMin, kMax: p.kMax, seed: p.seed)
    let scores = (p.kMin...p.kMax).map { KScore(k: $0, silhouette: $0 == chosen ? 0.9 : 0.1, calinskiHarabasz: 1, daviesBouldin: 1, inertia: 1) }
    return SegmentationResult(
        height: cube.height, width: cube.width, chosenK: chosen,
        selection: KSelection(criterion: .silhouette, scores: scores, reason: "fake"), labelsByK: byK,
        clusters: clustersByK[chosen]!, clustersByK: clustersByK, history: [], timings: ["total": 0.01], model: m,
        parameters: p,
        decisions: SegmentationDecisions(plan: nil, bins: cube.channels, transform: .identity, embedding: .autoencoder, embeddingReason: "fake", reconstruction: nil),
        backgroundPixels: 0, spectralAxis: cube.axis.values, spectralUnit: cube.axis.unit.rawValue,
        reconstructionAxis: [0])
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// A test configuration on a fresh data directory: fast leases and polls.
func testConfiguration(_ dir: URL, tokens: [ServiceConfiguration.APIToken] = []) -> ServiceConfiguration {
    var c = ServiceConfiguration()
    c.port = 0
    c.dataDirectory = dir.path
    c.tokens = tokens
    c.leaseSeconds = 2
    c.heartbeatSeconds = 0.2
    c.pollSeconds = 0.05
    c.retryBaseSeconds = 0.01
    c.blasThreads = 1
    c.maxWaitSeconds = 5
    return c
}

let alice = ServiceConfiguration.APIToken(token: "alice-token-0123456789", name: "alice")
let bob = ServiceConfiguration.APIToken(token: "bob-token-0123456789ab", name: "bob")
let admin = ServiceConfiguration.APIToken(token: "admin-token-0123456789", name: "root", admin: true)

/// A response with its body read.
struct TestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: Data

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    var problemCode: String? { json["code"] as? String }
}

extension CubeSegService {
    /// Runs a request through precheck and respond, awaiting deferred answers.
    func call(_ method: String, _ path: String, query: [String: String] = [:], headers: [String: String] = [:],
              token: String? = nil, body: HTTPBody = .none, parts: [MultipartPart] = []) async -> TestResponse {
        var h = headers
        if let token { h["authorization"] = "Bearer \(token)" }
        var length: Int64? = nil
        switch body {
        case .data(let d): length = Int64(d.count)
        case .file(let f): length = f.size
        case .none: break
        }
        let head = HTTPRequestHead(method: method, path: path, queryItems: query.map { ($0.key, $0.value) }, headers: h,
                                   remoteAddress: "127.0.0.1", contentLength: length)
        if case .refuse(let early) = precheck(head) { return TestResponse(early) }
        switch respond(to: HTTPRequest(head: head, body: body, parts: parts)) {
        case .immediate(let r): return TestResponse(r)
        case .deferred(let work): return TestResponse(await work())
        }
    }

    func postJSON(_ path: String, _ object: [String: Any], token: String? = nil, headers: [String: String] = [:]) async -> TestResponse {
        var h = headers
        h["content-type"] = "application/json"
        return await call("POST", path, headers: h, token: token, body: .data(try! JSONSerialization.data(withJSONObject: object)))
    }

    func upload(_ data: Data, token: String? = nil, query: [String: String] = [:]) async -> TestResponse {
        await call("POST", "/v1/cubes", query: query, headers: ["content-type": "application/octet-stream"], token: token, body: .data(data))
    }
}

extension TestResponse {
    init(_ r: HTTPResponse) {
        status = r.status
        headers = r.headers
        switch r.body {
        case .empty: body = Data()
        case .data(let d): body = d
        case .file(let url, _): body = (try? Data(contentsOf: url)) ?? Data()
        }
    }
}

/// Polls until `condition` holds or `seconds` pass; returns whether it held.
func waitUntil(_ seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}

/// A `JSONSerialization` object as the service's `JSONValue`.
func jsonValue(_ object: Any) -> JSONValue {
    JSONValue(data: try! JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]))!
}

/// Polls a job (long-polling a second at a time) until it reaches one of `states`; its last JSON.
func waitFor(_ s: CubeSegService, _ job: String, _ states: Set<String>, seconds: Double = 10) async -> [String: Any] {
    var last: [String: Any] = [:]
    _ = await waitUntil(seconds) {
        last = await s.call("GET", "/v1/jobs/\(job)", query: ["wait": "1"]).json
        return states.contains(last["state"] as? String ?? "")
    }
    return last
}
