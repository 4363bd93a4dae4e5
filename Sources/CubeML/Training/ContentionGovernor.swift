import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps training fast when other processes share the cores.
///
/// OpenBLAS's worker threads wait for work by spinning, and every product waits for its
/// slowest thread: when other busy processes take the cores, a descheduled worker stalls
/// each of the thousands of small products of an epoch. Measured on 2 cores with two other
/// busy processes, the 256 x 256 x 1024 bench cube took 9.9x its idle time with 2 OpenBLAS
/// threads and 1.5x with 1.
///
/// `step()` runs between batches on the training thread. Over each window of `window`
/// seconds it reads how long that thread waited, runnable, for a core (the kernel's
/// `/proc/thread-self/schedstat`). A thread that waits more than `crowdedWait` of the time
/// shares its cores with others: OpenBLAS drops to one thread. After at least
/// `probeInterval` seconds on one thread with hardly any wait (`freeWait`) it goes back to
/// the configured count. Products give the same bits with any thread count (OpenBLAS
/// splits rows and columns, never the inner sum), so results do not depend on the load.
/// Without schedstat (a kernel built without it) it does nothing.
struct ContentionGovernor {
    /// Seconds per measurement window.
    static let window = 1.0
    /// Share of a window spent waiting for a core above which the cores are crowded.
    static let crowdedWait = 0.25
    /// Share below which they are free again.
    static let freeWait = 0.05
    /// Seconds on one thread before the configured count may come back.
    static let probeInterval = 10.0

    let configured: Int
    private(set) var active: Int
    private var windowStart: (wall: Double, wait: Double)?
    private var reducedAt: Double = 0
    /// Windows spent on one thread.
    private(set) var reducedWindows = 0

    init(threads: Int = BLAS.threads) {
        configured = max(1, threads)
        active = configured
        if configured > 1, let wait = Self.runQueueWaitSeconds() { windowStart = (Self.wallSeconds(), wait) }
    }

    mutating func step() {
        guard let start = windowStart else { return }
        let now = Self.wallSeconds()
        let wall = now - start.wall
        guard wall >= Self.window, let wait = Self.runQueueWaitSeconds() else { return }
        let waited = (wait - start.wait) / wall
        windowStart = (now, wait)
        if active > 1 {
            if waited > Self.crowdedWait {
                active = 1
                reducedAt = now
                BLAS.setThreads(1)
            }
        } else {
            reducedWindows += 1
            if waited < Self.freeWait && now - reducedAt >= Self.probeInterval {
                active = configured
                BLAS.setThreads(configured)
            }
        }
    }

    /// Back to the configured thread count.
    func finish() {
        if active != configured { BLAS.setThreads(configured) }
    }

    static func wallSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Seconds the calling thread has spent runnable but waiting for a core (second field of
    /// `/proc/thread-self/schedstat`), or nil where the kernel does not provide it.
    static func runQueueWaitSeconds() -> Double? {
        let fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let nanoseconds = Double(fields[1]) else { return nil }
        return nanoseconds * 1e-9
    }
}
