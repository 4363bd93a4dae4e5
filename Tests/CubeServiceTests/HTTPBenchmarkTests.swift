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
            let cpuBefore = cpuSeconds()
            let output = try runProcess("/usr/bin/wrk", ["-t2", "-c64", "-d10s", "--latency",
                                                        "http://127.0.0.1:\(server.port)/v1/jobs/1"])
            let cpu = cpuSeconds() - cpuBefore
            let requests = server.metrics.requestsTotal
            print(String(decoding: output, as: UTF8.self))
            print(String(format: "server: %d requests, %.2f CPU s, %.1f µs CPU per request (%.0f requests per CPU second)",
                         requests, cpu, cpu / Double(requests) * 1e6, Double(requests) / cpu))
        }
    }

    /// Upload directories: the temporary directory (the disk: includes the final fsync) and
    /// /dev/shm (tmpfs: fsync is free, so this is the HTTP + SHA-256 + write path alone).
    static let uploadTargets: [String] = [FileManager.default.temporaryDirectory.path, "/dev/shm"]

    @Test("1 GB upload with curl -T: throughput, CPU time and peak memory",
          arguments: uploadTargets, [32 << 10, 256 << 10, 1 << 20])
    func gigabyteUpload(target: String, connectionMemoryLimit: Int) async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("cube.raw")
            _ = try runProcess("/bin/sh", ["-c", "head -c 1073741824 /dev/urandom > \(file.path)"])
            let uploads = URL(fileURLWithPath: target).appendingPathComponent("cubeseg-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: uploads) }
            try await withServer(configure: { $0.threads = 2; $0.uploadDirectory = uploads
                                              $0.connectionMemoryLimit = connectionMemoryLimit }) { server, _ in
                try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)  // reset VmHWM
                let before = residentBytes()
                let cpuBefore = cpuSeconds()
                let start = Date()
                let output = try runProcess("/usr/bin/curl", ["-sS", "-T", file.path, "-w", "\\n%{speed_upload} %{time_total}",
                                                             "http://127.0.0.1:\(server.port)/v1/cubes?name=big"])
                let seconds = Date().timeIntervalSince(start)
                let cpu = cpuSeconds() - cpuBefore
                let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
                let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "?"
                print(String(decoding: output, as: UTF8.self))
                print(String(format: "1 GiB upload to \(target), pool \(connectionMemoryLimit >> 10) KiB: %.2f s wall, %.0f MB/s; "
                             + "server CPU %.2f s (%.0f MB per CPU second); RSS before %d MB, after %d MB, peak %@",
                             seconds, 1073.741824 / seconds, cpu, 1073.741824 / cpu, before >> 20, residentBytes() >> 20, String(hwm)))
            }
        }
    }
}

extension HTTPBenchmarkTests {
    @Test("256 MB multipart upload with curl -F: throughput and CPU (post processor path)")
    func multipartUpload() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("cube.raw")
            _ = try runProcess("/bin/sh", ["-c", "head -c 268435456 /dev/urandom > \(file.path)"])
            let uploads = URL(fileURLWithPath: "/dev/shm").appendingPathComponent("cubeseg-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: uploads) }
            try await withServer(configure: { $0.threads = 2; $0.uploadDirectory = uploads }) { server, _ in
                let cpuBefore = cpuSeconds()
                let start = Date()
                let output = try runProcess("/usr/bin/curl", ["-sS", "-F", "cube=@\(file.path)", "-F", #"params={"seed":1}"#,
                                                             "http://127.0.0.1:\(server.port)/v1/jobs"])
                let seconds = Date().timeIntervalSince(start)
                let cpu = cpuSeconds() - cpuBefore
                let echo = try JSONDecoder().decode(Echo.self, from: output)
                print(String(format: "256 MiB multipart to /dev/shm: %.2f s wall, %.0f MB/s; server CPU %.2f s (%.0f MB per CPU second); parts %@",
                             seconds, 268.435456 / seconds, cpu, 268.435456 / cpu,
                             echo.parts.map { "\($0.name):\($0.body.kind):\($0.body.size)" }.joined(separator: ",")))
            }
        }
    }
}

/// User + system CPU seconds of this process (the server; curl and wrk are children, not counted).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
