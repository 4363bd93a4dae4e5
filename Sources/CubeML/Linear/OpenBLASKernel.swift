import Foundation

/// OpenBLAS 0.3.21 (Debian 12) picks its kernel from the CPU's family and model, and does
/// not know recent CPUs. It falls back to a kernel far below what the CPU can run:
/// - AVX2 "Haswell" on AMD Zen 4/5 and newer Intel CPUs with AVX-512: about half the sgemm
///   throughput of "SkylakeX" (30-85 vs 52-120 GFLOP/s on 2 threads, an AMD EPYC);
/// - SSE3 "Prescott" on an Intel Xeon with AVX-512 that it does not recognise: 40-47
///   GFLOP/s against 113 for "Haswell" and 198 for "SkylakeX" (2 threads, 2048³,
///   `cubeseg-bench sgemm-peak`).
///
/// The kernel is chosen when the library loads, from `OPENBLAS_CORETYPE`; so when that
/// variable is unset and the CPU's flags allow a better kernel than the one OpenBLAS
/// picked (`better(than:flags:)`), the process re-executes itself once with the variable
/// set. An explicit `OPENBLAS_CORETYPE` is always respected.
public enum OpenBLASKernel {
    public static let variable = "OPENBLAS_CORETYPE"

    /// Call first thing in `main`, before any thread starts: may replace the process.
    public static func upgradeIfPossible() {
        let env = ProcessInfo.processInfo.environment
        guard env[variable] == nil, let target = better(than: BLAS.coreName, flags: cpuFlags()) else { return }
        setenv(variable, target, 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // execv returned: it failed; carry on with the kernel we have.
        unsetenv(variable)
    }

    /// Kernels that already use AVX-512.
    static let avx512Kernels: Set<String> = ["SkylakeX", "CooperLake", "SapphireRapids"]
    /// Kernels that use AVX2 and FMA.
    static let avx2Kernels: Set<String> = ["Haswell", "Zen"]
    /// The AVX-512 subsets the SkylakeX kernel uses.
    static let skylakeXFlags = ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]

    /// The kernel to ask for instead of `current` on a CPU with these /proc/cpuinfo
    /// `flags`: "SkylakeX" when the CPU has every AVX-512 subset it uses and `current` is
    /// not an AVX-512 kernel; "Haswell" when the CPU has AVX2 and FMA and `current` is
    /// neither an AVX2 nor an AVX-512 kernel; nil when `current` is as good as the CPU
    /// allows (or is unknown: "unknown", an empty name).
    static func better(than current: String, flags: Set<String>) -> String? {
        guard !current.isEmpty, current != "unknown", !avx512Kernels.contains(current) else { return nil }
        if skylakeXFlags.allSatisfy(flags.contains) { return "SkylakeX" }
        if !avx2Kernels.contains(current), flags.contains("avx2"), flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The flags of the first processor in /proc/cpuinfo (empty when unreadable).
    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(flagsLine.split(separator: " ").map(String.init))
    }
}
