import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps training fast when other processes share the cores.
///
/// Every product and parallel loop waits for its slowest worker: when other busy processes
/// take the cores, a descheduled worker stalls each of the thousands of small products of an
/// epoch. Measured on 2 cores with two other busy processes (with OpenBLAS's own spinning
/// threads, before `BLAS` split products itself), the 256 x 256 x 1024 bench cube took 9.9x
/// its idle time on 2 threads and 1.5x on 1.
///
/// `step()` runs between batches on the training thread. Over each window of `window`
/// seconds it measures the CPU time the rest of the machine used: all cores' busy time
/// (`/proc/stat`, stolen time included) less this process's own. More than `crowded`
/// cores' worth means the cores are shared: the thread budget drops to one. Below `free`
/// it goes back to the configured count. This process's own threads never count, so its
/// own parallel loops cannot make it step down. Products and loops give the same bits with
/// any budget (`BLAS`, `GemmBlocks`, `ParallelBlocks`), so results do not depend on the
/// load. Where `/proc/stat` cannot be read it does nothing.
struct ContentionGovernor {
    /// Seconds per measurement window.
    static let window = 1.0
    /// Cores' worth of other processes' CPU time above which the cores are crowded.
    static let crowded = 0.5
    /// ... and below which they are free again.
    static let free = 0.2

    let configured: Int
    private(set) var active: Int
    private var windowStart: (wall: Double, others: Double)?
    /// Windows spent on one thread.
    private(set) var reducedWindows = 0
    /// (wall seconds, other processes' CPU seconds) now; the real clocks unless a test says.
    private let measure: () -> (wall: Double, others: Double)?

    init(threads: Int = BLAS.threads,
         measure: @escaping () -> (wall: Double, others: Double)? = { othersCPUSeconds().map { (wallSeconds(), $0) } }) {
        configured = max(1, threads)
        active = configured
        self.measure = measure
        if configured > 1 { windowStart = measure() }
    }

    mutating func step() {
        guard let start = windowStart, let (now, others) = measure() else { return }
        let wall = now - start.wall
        guard wall >= Self.window else { return }
        let cores = (others - start.others) / wall
        windowStart = (now, others)
        if active > 1, cores > Self.crowded {
            active = 1
            BLAS.setThreads(1)
        } else if active == 1 {
            reducedWindows += 1
            if cores < Self.free {
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

    /// CPU seconds the machine has spent busy, less this process's: the first line of
    /// `/proc/stat` (user, nice, system, irq, softirq, steal, in clock ticks) and
    /// `CLOCK_PROCESS_CPUTIME_ID`. nil where `/proc/stat` cannot be read.
    static func othersCPUSeconds() -> Double? {
        let fd = open("/proc/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let line = String(decoding: buffer[0..<n], as: UTF8.self).prefix { $0 != "\n" }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard line.hasPrefix("cpu "), fields.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        let busyTicks = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        let mine = Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        return busyTicks / ticksPerSecond - mine
    }
}
