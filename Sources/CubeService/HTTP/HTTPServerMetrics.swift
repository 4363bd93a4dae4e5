import Foundation
import Synchronization

/// A snapshot of the server's counters since start, for export (Prometheus and the like).
public struct HTTPServerMetrics: Sendable {
    /// Upper bounds (seconds) of the request latency histogram buckets; one more bucket
    /// (+Inf) follows the last bound.
    public static let latencyBucketBounds: [Double] =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// Answered requests by status class: index 0 counts 1xx, ..., index 4 counts 5xx.
    public var requestsByStatusClass: [Int] = [0, 0, 0, 0, 0]
    /// Requests that ended without a complete response (client gone, timeout, shutdown).
    public var abortedRequests: Int = 0
    /// Request body bytes received (raw and multipart, including refused bodies).
    public var bytesUploaded: Int64 = 0
    /// Response body bytes queued.
    public var bytesSent: Int64 = 0
    /// Requests started and not yet completed.
    public var inFlight: Int = 0
    /// Requests whose connection is suspended while a deferred response is computed.
    public var suspended: Int = 0
    /// Requests per latency bucket, not cumulative; `latencyBucketBounds.count + 1` entries,
    /// the last one counting requests slower than the last bound.
    public var latencyBucketCounts: [Int] = Array(repeating: 0, count: HTTPServerMetrics.latencyBucketBounds.count + 1)
    /// Sum of all recorded latencies, in seconds.
    public var latencySumSeconds: Double = 0

    public init() {}

    /// Answered requests in total.
    public var requestsTotal: Int { requestsByStatusClass.reduce(0, +) }

    /// Cumulative buckets as Prometheus wants them: `(le, count of requests <= le)`, ending
    /// with `(+infinity, total)`.
    public var cumulativeLatencyBuckets: [(upperBound: Double, count: Int)] {
        var running = 0
        var result: [(upperBound: Double, count: Int)] = []
        for (index, count) in latencyBucketCounts.enumerated() {
            running += count
            let bound = index < Self.latencyBucketBounds.count ? Self.latencyBucketBounds[index] : .infinity
            result.append((bound, running))
        }
        return result
    }
}

/// The live counters behind `HTTPServer.metrics`, updated from every libmicrohttpd thread.
final class HTTPServerMetricsRecorder: Sendable {
    private let state = Mutex(HTTPServerMetrics())

    var snapshot: HTTPServerMetrics { state.withLock { $0 } }

    func requestStarted() { state.withLock { $0.inFlight += 1 } }

    func bodyBytesReceived(_ count: Int) { state.withLock { $0.bytesUploaded += Int64(count) } }

    func suspendedChanged(by delta: Int) { state.withLock { $0.suspended += delta } }

    /// Records a finished request: `status` nil when it ended without a response.
    func requestFinished(status: Int?, bytesSent: Int64, seconds: Double) {
        state.withLock { values in
            values.inFlight -= 1
            guard let status else {
                values.abortedRequests += 1
                return
            }
            let statusClass = min(max(status / 100, 1), 5) - 1
            values.requestsByStatusClass[statusClass] += 1
            values.bytesSent += bytesSent
            var bucket = HTTPServerMetrics.latencyBucketBounds.count
            for (index, bound) in HTTPServerMetrics.latencyBucketBounds.enumerated() where seconds <= bound {
                bucket = index
                break
            }
            values.latencyBucketCounts[bucket] += 1
            values.latencySumSeconds += seconds
        }
    }
}
