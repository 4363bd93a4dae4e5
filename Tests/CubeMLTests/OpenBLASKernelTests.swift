import Testing
@testable import CubeML

@Suite struct OpenBLASKernelTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
    let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    @Test func anAVX512CPUGetsTheSkylakeXKernelWhateverLesserKernelOpenBLASFellBackTo() {
        for fallback in ["Prescott", "Nehalem", "Sandybridge", "Haswell", "Zen"] {
            #expect(OpenBLASKernel.better(than: fallback, flags: avx512) == "SkylakeX", "\(fallback)")
        }
    }

    @Test func anAVX2CPUGetsTheHaswellKernelOnlyInPlaceOfAPreAVX2One() {
        #expect(OpenBLASKernel.better(than: "Prescott", flags: avx2) == "Haswell")
        #expect(OpenBLASKernel.better(than: "Sandybridge", flags: avx2) == "Haswell")
        #expect(OpenBLASKernel.better(than: "Haswell", flags: avx2) == nil)
        #expect(OpenBLASKernel.better(than: "Zen", flags: avx2) == nil)
    }

    @Test func aKernelAsGoodAsTheCPUAllowsOrAnUnknownOneIsKept() {
        #expect(OpenBLASKernel.better(than: "SkylakeX", flags: avx512) == nil)
        #expect(OpenBLASKernel.better(than: "CooperLake", flags: avx512) == nil)
        #expect(OpenBLASKernel.better(than: "Prescott", flags: ["sse3", "avx"]) == nil) // no AVX2: nothing better to ask for
        #expect(OpenBLASKernel.better(than: "Prescott", flags: ["avx2"]) == nil) // AVX2 without FMA
        #expect(OpenBLASKernel.better(than: "Prescott", flags: []) == nil) // /proc/cpuinfo unreadable
        #expect(OpenBLASKernel.better(than: "unknown", flags: avx512) == nil)
        #expect(OpenBLASKernel.better(than: "", flags: avx512) == nil)
    }
}
