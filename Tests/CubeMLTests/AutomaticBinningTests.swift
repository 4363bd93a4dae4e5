import Testing

@testable import CubeML

@Suite("Automatic binning")
struct AutomaticBinningTests {
    @Test("sparse count data get fewer bins, at least 0.75 mean counts per bin for the autoencoder and 0.2 for PCA")
    func sparseCountsGetFewerBins() {
        #expect(AutomaticBinning.bins(channels: 1024, meanSignalCounts: 120, integral: true) == 128)
        #expect(AutomaticBinning.bins(channels: 1024, meanSignalCounts: 120, integral: true, perBin: AutomaticBinning.linearCountsPerBin) == 512)
        #expect(AutomaticBinning.bins(channels: 1024, meanSignalCounts: 40, integral: true, perBin: AutomaticBinning.linearCountsPerBin) == 128)
        #expect(AutomaticBinning.bins(channels: 4096, meanSignalCounts: 10_000, integral: true) == 1024)
        #expect(AutomaticBinning.bins(channels: 1024, meanSignalCounts: 10, integral: true) == 64)
        #expect(AutomaticBinning.bins(channels: 40, meanSignalCounts: 10_000, integral: true) == 40)
    }

    @Test("flux data keep the paper's 1024, or fewer channels when the cube has fewer")
    func fluxDataKeepThePaperLength() {
        #expect(AutomaticBinning.bins(channels: 3000, meanSignalCounts: 5, integral: false) == 1024)
        #expect(AutomaticBinning.bins(channels: 300, meanSignalCounts: 5, integral: false) == 300)
    }
}
