import Foundation
import Logging
import Testing
@testable import CubeService

/// Measurements, not tests: run with `CUBESEG_HTTP_BENCH=1` on a release build. They print
/// wrk's requests/s against a trivial JSON responder and the throughput of a 1 GB `curl -T`
/// upload with this process's peak resident memory; nothing is asserted about speed.
@Suite("HTTP front: measurements", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["CUBESEG_HTTP_BENCH"] == "1", "set CUBESEG_HTTP_BENCH=1 to measure"))
struct HTTPBenchmarkTests {
    @Test("wrk against an immediate JSON responder on 2 threads")
    func wrkRequestsPerSecond() async throws {
        let responder = TestResponder { _ in .immediate(.json(["state": "running", "progress": "0.5"])) }
        try await withServer(responder, configure: { $0.threads = 2 }) { server, _ in
            let output = try runProcess("/usr/bin/wrk", ["-t2", "-c64", "-d10s", "--latency",
                                                        "http://127.0.0.1:\(server.port)/v1/jobs/1"])
            print(String(decoding: output, as: UTF8.self))
            print("server metrics: \(server.metrics.requestsTotal) requests, latency sum \(server.metrics.latencySumSeconds) s")
        }
    }

    @Test("1 GB upload with curl -T: throughput and peak memory")
    func gigabyteUpload() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cube.raw")
        _ = try runProcess("/bin/sh", ["-c", "head -c 1073741824 /dev/urandom > \(file.path)"])
        try await withServer(configure: { $0.threads = 2 }) { server, _ in
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)  // reset VmHWM
            let before = residentBytes()
            let start = Date()
            let output = try runProcess("/usr/bin/curl", ["-sS", "-T", file.path, "-w", "\\n%{speed_upload} %{time_total}",
                                                         "http://127.0.0.1:\(server.port)/v1/cubes?name=big"])
            let seconds = Date().timeIntervalSince(start)
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "?"
            print(String(decoding: output, as: UTF8.self))
            print(String(format: "1 GiB upload: %.2f s wall, %.0f MB/s; RSS before %d MB, after %d MB, peak %@",
                         seconds, 1073.741824 / seconds, before >> 20, residentBytes() >> 20, String(hwm)))
        }
    }
}
