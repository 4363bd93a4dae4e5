import Foundation
import Prometheus
import Synchronization

/// The service's Prometheus metrics, on a registry of its own (no process-wide bootstrap, so
/// several services can live in one test process). `GET /metrics` emits the text format.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let uploadBytes: Counter
    let queueDepth: Gauge
    /// Gauges of the worker processes last reported, by worker id (to drop those that left).
    private let workerGauges = Mutex<[String: [Gauge]]>([:])

    static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    static let jobBuckets: [Double] = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600, 7200]

    public init() {
        uploadBytes = registry.makeCounter(descriptor: .init(namespace: "cubeseg", metricName: "upload", unitName: "bytes_total",
                                                             helpText: "Bytes of cube uploads accepted"))
        queueDepth = registry.makeGauge(descriptor: .init(namespace: "cubeseg", metricName: "queue", unitName: "depth",
                                                          helpText: "Jobs waiting to run"))
    }

    /// One answered request: `route` is the route template (`/v1/jobs/{id}`), never a raw path.
    func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: .init(namespace: "cubeseg", subsystem: "http", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests answered"),
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeValueHistogram(descriptor: .init(namespace: "cubeseg", subsystem: "http", metricName: "request_duration",
                                                      unitName: "seconds", helpText: "Time to produce a response"),
                                    labels: [("route", route)], buckets: Self.latencyBuckets).record(seconds)
    }

    func recordUpload(bytes: Int64) { uploadBytes.increment(by: Int64(bytes)) }

    /// A job run ended (`outcome`: succeeded, failed, cancelled, requeued).
    func recordJobRun(kind: JobKind, outcome: String, seconds: Double) {
        registry.makeValueHistogram(descriptor: .init(namespace: "cubeseg", subsystem: "job", metricName: "duration",
                                                      unitName: "seconds", helpText: "Wall time of job runs"),
                                    labels: [("kind", kind.rawValue), ("outcome", outcome)], buckets: Self.jobBuckets).record(seconds)
    }

    /// Refreshes the queue gauges from the store's counts (called at scrape time).
    func updateJobCounts(_ counts: [JobState: Int]) {
        queueDepth.set(Double(counts[.queued] ?? 0))
        for state in JobState.allCases {
            registry.makeGauge(descriptor: .init(namespace: "cubeseg", metricName: "jobs", unitName: "current",
                                                 helpText: "Jobs by state"),
                               labels: [("state", state.rawValue)]).set(Double(counts[state] ?? 0))
        }
    }

    /// Gauges per worker process of the cluster, from the store's `workers` rows (at scrape
    /// time): jobs claimed, succeeded and failed since it started, jobs running, seconds since
    /// its last report (its heartbeat lag), and whether it is up (reported within three
    /// heartbeats, not stopped). Workers that left are dropped.
    func updateWorkers(_ workers: [WorkerStatus], now: Date, heartbeatSeconds: Double) {
        func gauge(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
            registry.makeGauge(descriptor: .init(namespace: "cubeseg", subsystem: "worker", metricName: name, unitName: unit, helpText: help),
                               labels: labels)
        }
        var current: [String: [Gauge]] = [:]
        for w in workers {
            let id = ("worker", w.id)
            let jobs = "Jobs this worker process claimed, committed as succeeded, or failed, since it started"
            let lag = now.timeIntervalSince(w.seenAt)
            let pairs: [(Gauge, Double)] = [
                (gauge("jobs", "", jobs, [id, ("event", "claimed")]), Double(w.claimed)),
                (gauge("jobs", "", jobs, [id, ("event", "succeeded")]), Double(w.succeeded)),
                (gauge("jobs", "", jobs, [id, ("event", "failed")]), Double(w.failed)),
                (gauge("running", "jobs", "Jobs running in this worker process at its last report", [id]), Double(w.running)),
                (gauge("heartbeat_lag", "seconds", "Seconds since this worker process last reported", [id]), max(0, lag)),
                (gauge("up", "", "1 while the worker reports on time (within three heartbeats) and has not stopped", [id]),
                 !w.stopped && lag < 3 * heartbeatSeconds ? 1 : 0),
            ]
            for (g, v) in pairs { g.set(v) }
            current[w.id] = pairs.map(\.0)
        }
        let gone = workerGauges.withLock { known in
            defer { known = current }
            return known.filter { current[$0.key] == nil }.flatMap(\.value)
        }
        for g in gone { registry.unregisterGauge(g) }
    }

    /// Copies the HTTP front's own counters (connections in flight, suspended long-polls,
    /// bytes in and out, aborted requests) into gauges, at scrape time.
    func updateServer(_ m: HTTPServerMetrics) {
        func gauge(_ name: String, _ unit: String, _ help: String, _ value: Double) {
            registry.makeGauge(descriptor: .init(namespace: "cubeseg", subsystem: "http", metricName: name, unitName: unit, helpText: help))
                .set(value)
        }
        gauge("in_flight", "requests", "Requests being answered now", Double(m.inFlight))
        gauge("suspended", "requests", "Long-polls waiting (?wait=N)", Double(m.suspended))
        gauge("received", "bytes", "Request body bytes received since start", Double(m.bytesUploaded))
        gauge("sent", "bytes", "Response bytes sent since start", Double(m.bytesSent))
        gauge("aborted", "requests", "Requests whose connection closed early, since start", Double(m.abortedRequests))
    }

    /// The Prometheus text exposition.
    public func render() -> Data { Data(registry.emitToBuffer()) }
}
