import CubeML
import Foundation

/// Helpers shared by the benchmark subcommands.
enum BenchSupport {
    /// Monotonic wall time in seconds.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU time (user + system) of the whole process so far, seconds: compared with wall time
    /// it shows how much of the machine a run had (the benchmark machine may be shared).
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// A value of /proc/self/status in bytes (e.g. "VmHWM", "VmRSS"); nil where unavailable.
    static func procStatusBytes(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// Resets the peak resident set size (VmHWM) to the current RSS (Linux >= 4.0: write "5"
    /// to /proc/self/clear_refs). Returns false where that is not possible.
    @discardableResult
    static func resetPeakRSS() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)); return true } catch { return false }
    }

    /// Gaussian blobs: `k` centres uniform in [-10, 10]^d, unit spread; row-major (n x d) and
    /// the true labels.
    static func blobs(n: Int, dim: Int, k: Int, seed: UInt64) -> (Matrix, [Int32]) {
        var g = SeededGenerator(seed: seed)
        var centres = [Float](repeating: 0, count: k * dim)
        for t in 0..<(k * dim) { centres[t] = Float(g.nextDouble() * 20 - 10) }
        var x = Matrix(rows: n, cols: dim)
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let c = g.nextInt(below: k)
            labels[i] = Int32(c)
            for j in 0..<dim { x.storage[i * dim + j] = centres[c * dim + j] + Float(g.nextGaussian()) }
        }
        return (x, labels)
    }

    /// Uniform points in [0, 1)^d (n x d, row major).
    static func uniform(n: Int, dim: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        var x = Matrix(rows: n, cols: dim)
        for t in 0..<(n * dim) { x.storage[t] = g.nextFloat() }
        return x
    }

    /// One JSON line from string/number pairs, keys in the given order.
    static func jsonLine(_ pairs: [(String, Any)]) -> String {
        let body = pairs.map { key, value -> String in
            switch value {
            case let s as String: return "\"\(key)\": \"\(s)\""
            case let d as Double: return "\"\(key)\": \(d.isFinite ? String(format: "%.6g", d) : "null")"
            default: return "\"\(key)\": \(value)"
            }
        }
        return "{" + body.joined(separator: ", ") + "}"
    }
}
