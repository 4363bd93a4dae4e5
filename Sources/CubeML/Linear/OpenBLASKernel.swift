import Foundation

/// OpenBLAS 0.3.21 (Debian 12) does not know recent CPUs with AVX-512 (AMD Zen 4/5, newer
/// Intel) and falls back to its AVX2 "Haswell" kernel, which halves sgemm throughput
/// (measured here: 30-85 vs 52-120 GFLOP/s on 2 threads). The kernel is chosen when the
/// library loads, from `OPENBLAS_CORETYPE`; so when that variable is unset, the CPU has the
/// AVX-512 subsets the SkylakeX kernel needs, and OpenBLAS picked an AVX2 kernel, the
/// process re-executes itself once with `OPENBLAS_CORETYPE=SkylakeX`.
public enum OpenBLASKernel {
    public static let variable = "OPENBLAS_CORETYPE"

    /// Call first thing in `main`, before any thread starts: may replace the process.
    public static func upgradeIfPossible() {
        let env = ProcessInfo.processInfo.environment
        guard env[variable] == nil, ["Haswell", "Zen"].contains(BLAS.coreName), cpuHasSkylakeXFeatures() else { return }
        setenv(variable, "SkylakeX", 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // execv returned: it failed; carry on with the kernel we have.
        unsetenv(variable)
    }

    /// Whether /proc/cpuinfo lists every AVX-512 subset the SkylakeX kernel uses.
    static func cpuHasSkylakeXFeatures() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains)
    }
}
