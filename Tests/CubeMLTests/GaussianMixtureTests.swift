import CubeFormats
import CubeSynth
import Testing
@testable import CubeML

struct GaussianMixtureTests {
    /// A wide cloud (standard deviation 3) and a compact one (0.3) whose centres are 4 apart,
    /// in 2 dimensions: k-means puts its boundary halfway, taking the wide cloud's points
    /// beyond it; the mixture draws the boundary where the two densities cross.
    static func wideAndCompact(seed: UInt64) -> (Matrix, [Int32]) {
        var g = SeededGenerator(seed: seed)
        let sizes = [2000, 500], spreads = [3.0, 0.3], centres = [(0.0, 0.0), (4.0, 0.0)]
        var x = Matrix(rows: 2500, cols: 2)
        var truth: [Int32] = []
        var i = 0
        for c in 0..<2 {
            for _ in 0..<sizes[c] {
                x[i, 0] = Float(centres[c].0 + spreads[c] * g.nextGaussian())
                x[i, 1] = Float(centres[c].1 + spreads[c] * g.nextGaussian())
                truth.append(Int32(c)); i += 1
            }
        }
        return (x, truth)
    }

    @Test("a mixture started from k-means finds a compact cluster beside a wide one, which k-means cuts halfway")
    func mixtureSeparatesClustersOfUnequalSpread() throws {
        let (x, truth) = Self.wideAndCompact(seed: 1)
        let km = try KMeans.fit(x, k: 2, restarts: 3, iterations: 100, seed: 1)
        let kmARI = ClusteringMetrics.adjustedRandIndex(truth, km.labels)
        let fit = try #require(GaussianMixture.fit(x, labels: km.labels, k: 2))
        let mixARI = ClusteringMetrics.adjustedRandIndex(truth, fit.labels)
        #expect(kmARI < 0.7, "k-means ARI \(kmARI): the case no longer shows k-means's halfway boundary")
        #expect(mixARI > 0.9, "mixture ARI \(mixARI) (k-means \(kmARI))")
        #expect(fit.iterations >= 2)
        // Centroids are the means of the mixture's hard clusters.
        for c in 0..<2 {
            let members = (0..<x.rows).filter { fit.labels[$0] == Int32(c) }
            for j in 0..<2 {
                let mean = members.reduce(0.0) { $0 + Double(x[$1, j]) } / Double(members.count)
                #expect(abs(mean - Double(fit.centroids[c, j])) < 1e-4)
            }
        }
    }

    @Test("well-separated round clusters keep their partition under the mixture")
    func roundClustersAreKept() throws {
        let (x, truth) = ClusteringTestData.blobs(sizes: [400, 150, 900, 60], spreads: [0.5, 0.3, 1.0, 0.4], dim: 4, seed: 1)
        let km = try KMeans.fit(x, k: 4, restarts: 3, iterations: 100, seed: 7)
        let fit = try #require(GaussianMixture.fit(x, labels: km.labels, k: 4))
        #expect(ClusteringMetrics.adjustedRandIndex(truth, fit.labels) == 1)
    }

    @Test("more EM iterations never lower the mean log-likelihood, which lies where a 2-D density of these spreads puts it")
    func moreIterationsNeverLowerTheLikelihood() throws {
        let (x, _) = Self.wideAndCompact(seed: 2)
        let km = try KMeans.fit(x, k: 2, restarts: 1, iterations: 50, seed: 3)
        let short = try #require(GaussianMixture.fit(x, labels: km.labels, k: 2, maxIterations: 2, tolerance: 0))
        let long = try #require(GaussianMixture.fit(x, labels: km.labels, k: 2, maxIterations: 30, tolerance: 0))
        #expect(short.iterations == 2 && long.iterations == 30)
        #expect(long.meanLogLikelihood >= short.meanLogLikelihood - 1e-9)
        // A 2-D density with spreads 0.3...3 has a mean log-likelihood between log of the
        // wide Gaussian's typical density and the compact one's.
        #expect(long.meanLogLikelihood > -6 && long.meanLogLikelihood < 0)
    }

    @Test("data without spread give no mixture, and the caller keeps k-means's partition")
    func constantDataGiveNoMixture() {
        let x = Matrix(rows: 50, cols: 3, repeating: 2)
        let labels = (0..<50).map { Int32($0 % 2) }
        #expect(GaussianMixture.fit(x, labels: labels, k: 2) == nil)
    }

    @Test("auto draws clusters by a mixture for continuum spectra of 512 or more values, counts or not, and by k-means for line spectra")
    func autoRule() {
        func data(_ kind: DataKindDecision.Kind, share: Double, zeros: Double = 0) -> DataKindDecision {
            let s = CubeStatistics(totals: [], hasData: [], wholeNumbers: kind == .counts,
                                   countQuantum: kind == .counts ? 1 : nil, zeroFraction: zeros,
                                   halfFluxChannelShare: share, dispersion: kind == .counts ? 1 : 0.05)
            return DataKindDecision(statistics: s, meanSignalTotal: 100)
        }
        // A spectrograph's continuum, as fluxes or as counts, even with the zeros of a faint sky.
        #expect(ClusterModelRule.resolve(.auto, data: data(.continuous, share: 0.4), bins: 1024).model == .gaussianMixture)
        #expect(ClusterModelRule.resolve(.auto, data: data(.continuous, share: 0.2), bins: 512).model == .gaussianMixture)
        #expect(ClusterModelRule.resolve(.auto, data: data(.counts, share: 0.35, zeros: 0.5), bins: 1024).model == .gaussianMixture)
        // Line spectra (X-ray fluorescence), as counts or in another unit; an airborne scene's few hundred bands.
        #expect(ClusterModelRule.resolve(.auto, data: data(.counts, share: 0.05, zeros: 0.8), bins: 1024).model == .kmeans)
        #expect(ClusterModelRule.resolve(.auto, data: data(.continuous, share: 0.19), bins: 1024).model == .kmeans)
        #expect(ClusterModelRule.resolve(.auto, data: data(.continuous, share: 0.25), bins: 224).model == .kmeans)
        #expect(ClusterModelRule.resolve(.auto, data: nil, bins: 1024).model == .kmeans)
        // What is asked for is done.
        #expect(ClusterModelRule.resolve(.gaussianMixture, data: data(.counts, share: 0.05), bins: 64).model == .gaussianMixture)
        #expect(ClusterModelRule.resolve(.kmeans, data: data(.continuous, share: 0.4), bins: 2048).model == .kmeans)
        #expect(ClusterModelRule.resolve(.auto, data: data(.counts, share: 0.054), bins: 1024).reason.contains("half the summed spectrum's flux lies in 5% of the channels"))
        #expect(ClusterModelRule.resolve(.auto, data: data(.counts, share: 0.43), bins: 1024).reason.contains("spreads half over 43% of the channels"))
    }

    @Test("half the flux of a line spectrum lies in few channels, of a continuum in many")
    func halfFluxChannelShare() throws {
        #expect(CubeStatistics.halfFluxChannelShare([0, 0, 0, 0]) == 0)
        #expect(CubeStatistics.halfFluxChannelShare([1, 1, 1, 1]) == 0.5)
        #expect(CubeStatistics.halfFluxChannelShare([10, 1, 1, 1, 1, 1, 1, 1, 1, 1]) == 0.1)
        // Channels summed below 0 hold no flux.
        #expect(CubeStatistics.halfFluxChannelShare([10, -1, 1, 1, 1, 1, 1, 1, 1, 1]) == 0.1)
        #expect(CubeStatistics.halfFluxChannelShare([-4, -4, -4, -4]) == 0)
        let painting = SyntheticCubes.maxrf(size: 24, channels: 512, counts: 400, seed: 2).cube
        let galaxy = SyntheticCubes.ifu(size: 24, channels: 512, seed: 1).cube
        let lines = try CubeStatistics.measure(painting, channels: 0..<512).halfFluxChannelShare
        let continuum = try CubeStatistics.measure(galaxy, channels: 0..<512).halfFluxChannelShare
        #expect(lines < SpectrumShape.lineSpectrumShare / 2, "\(lines)")
        #expect(continuum > SpectrumShape.lineSpectrumShare, "\(continuum)")
        // Read noise about 0 in every channel does not spread a line spectrum: the summed
        // spectrum keeps its negative values, where the noise cancels out.
        var g = SeededGenerator(seed: 4)
        let values = try painting.readAll().map { $0 + Float(2 * g.nextGaussian()) }
        let noisy = Datacube(height: 24, width: 24, channels: 512, values: values)
        let withReadNoise = try CubeStatistics.measure(noisy, channels: 0..<512).halfFluxChannelShare
        #expect(withReadNoise < SpectrumShape.lineSpectrumShare / 2, "\(withReadNoise)")
    }
}
