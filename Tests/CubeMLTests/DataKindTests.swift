import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

private func cube(_ h: Int, _ w: Int, _ c: Int, _ value: (Int, Int, inout SeededGenerator) -> Float) -> Datacube {
    var g = SeededGenerator(seed: 5)
    var v = [Float](repeating: 0, count: h * w * c)
    for p in 0..<(h * w) { for k in 0..<c { v[p * c + k] = value(p, k, &g) } }
    return Datacube(height: h, width: w, channels: c, values: v)
}

@Suite("Counts or not")
struct DataKindTests {
    @Test("Poisson counts of a synthetic MA-XRF painting are recognised as counts (dispersion about 1)")
    func poissonCounts() throws {
        let s = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2)
        let stats = try CubeStatistics.measure(s.cube, channels: 0..<256)
        let d = DataKindDecision(statistics: stats, meanSignalTotal: 400)
        #expect(d.kind == .counts)
        #expect(abs(stats.dispersion - 1) < 0.5)
        #expect(stats.wholeNumbers && stats.zeroFraction > 0.2)
        #expect(stats.dispersionByLevel.count == 3)
        #expect(try #require(DataKindDecision.levelSpread(stats.dispersionByLevel)) < 1.5)
    }

    @Test("digital numbers over a dark offset are not counts even where their dispersion is about 1: it changes with the level, which Poisson counts' does not")
    func digitalNumbersOverAnOffset() throws {
        // 48 channels holding on average 5 ... 5,000 electrons (log-spaced), Gaussian noise of
        // Poisson variance; stored as electrons, or as 1.5 digital numbers per electron over
        // an offset of 1,000 (variance/mean 0.04 in the dimmest channels, 1.1 in the brightest).
        func draw(gain: Double, offset: Double) -> Datacube {
            cube(16, 16, 48) { p, k, g in
                let electrons = 5 * pow(1000, Double(k) / 47)
                return Float((gain * (electrons + electrons.squareRoot() * g.nextGaussian()) + offset).rounded())
            }
        }
        let dn = try CubeStatistics.measure(draw(gain: 1.5, offset: 1000), channels: 0..<48)
        #expect(dn.wholeNumbers && DataKindDecision.poissonDispersion.contains(dn.dispersion), "\(dn.dispersion)")
        #expect(dn.dispersionByLevel[0] < 0.1 && dn.dispersionByLevel[2] > 0.5, "\(dn.dispersionByLevel)")
        let d = DataKindDecision(statistics: dn, meanSignalTotal: 50_000)
        #expect(d.kind == .continuous)
        #expect(d.reason.contains("dimmest") && d.reason.contains("not counts"), "\(d.reason)")
        #expect(d.dispersionByLevel == dn.dispersionByLevel)
        // The same electrons stored as they are: counts.
        let electrons = try CubeStatistics.measure(draw(gain: 1, offset: 0), channels: 0..<48)
        #expect(try #require(DataKindDecision.levelSpread(electrons.dispersionByLevel)) < 1.5)
        #expect(DataKindDecision(statistics: electrons, meanSignalTotal: 50_000).kind == .counts)
    }

    @Test("the spread of the dispersion over the levels leaves out thirds without signal and needs two that hold some")
    func levelSpreadOfThirds() {
        #expect(DataKindDecision.levelSpread([0.5, 1, 2]) == 4)
        #expect(DataKindDecision.levelSpread([0, 1, 1.5]) == 1.5)
        #expect(DataKindDecision.levelSpread([0, 0, 1]) == nil)
        #expect(DataKindDecision.levelSpread([]) == nil)
    }

    @Test("the share of zeros is measured in non-empty pixels: a zero-padded border does not make fluxes look sparse")
    func zerosOfEmptyPixelsAreNotCounted() throws {
        // Fluxes without zeros in the middle 8 of 16 rows, all-zero rows above and below (half the pixels).
        let padded = cube(16, 16, 64) { p, k, g in p < 64 || p >= 192 ? 0 : Float(5 + g.nextGaussian()) }
        let stats = try CubeStatistics.measure(padded, channels: 0..<64)
        #expect(stats.zeroFraction == 0)
        // Sparse spectra: three of four values zero in every pixel.
        let sparse = cube(16, 16, 64) { p, k, g in k % 4 == 0 ? Float(1 + (p + k) % 3) : 0 }
        #expect(abs(try CubeStatistics.measure(sparse, channels: 0..<64).zeroFraction - 0.75) < 1e-12)
    }

    @Test("whole numbers far from Poisson noise (scaled radiance) are not counts")
    func scaledRadiance() throws {
        // Radiance around 3000 in whole numbers with noise of standard deviation 10 (variance/mean 0.03).
        let c = cube(16, 16, 50) { p, k, g in Float((3000 + 40 * Double(k % 7) + 10 * g.nextGaussian()).rounded()) }
        let stats = try CubeStatistics.measure(c, channels: 0..<50)
        let d = DataKindDecision(statistics: stats, meanSignalTotal: 150_000)
        #expect(stats.wholeNumbers && stats.countQuantum == 1)
        #expect(d.kind == .continuous)
        #expect(d.reason.contains("not counts"))
    }

    @Test("whole numbers with a Poisson-like dispersion but negative values (reflectance times 10,000) are not counts")
    func negativeWholeNumbers() throws {
        // Values around 20 with noise of variance 20 (variance/mean 1, as counts); a quarter
        // of the channels absorbed to 0, where noise of standard deviation 1 makes 31% of their values negative.
        func draw(_ shift: Double) -> Datacube {
            cube(16, 16, 64) { p, k, g in
                let mean = k % 4 == 0 ? shift : 20 + 4 * Double(p / 128)
                return Float((mean + max(1, mean.squareRoot()) * g.nextGaussian()).rounded())
            }
        }
        let corrected = try CubeStatistics.measure(draw(0), channels: 0..<64)
        #expect(corrected.wholeNumbers && corrected.negativeFraction > 0.05)
        #expect(DataKindDecision.poissonDispersion.contains(corrected.dispersion))
        let d = DataKindDecision(statistics: corrected, meanSignalTotal: 1000)
        #expect(d.kind == .continuous)
        #expect(d.reason.contains("negative") && d.reason.contains("not counts"), "\(d.reason)")
        #expect(d.negativeFraction == corrected.negativeFraction)
        // The same values clipped at 0: counts.
        let clipped = Datacube(height: 16, width: 16, channels: 64, values: try draw(0).readAll().map { max(0, $0) })
        let stats = try CubeStatistics.measure(clipped, channels: 0..<64)
        #expect(stats.negativeFraction == 0)
        #expect(DataKindDecision(statistics: stats, meanSignalTotal: 1000).kind == .counts)
    }

    @Test("counts stored in another unit (times a calibration factor, or per second at a fixed dwell) are read as counts, each worth the smallest value")
    func countsInAnotherUnit() throws {
        let s = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2)
        let counts = try s.cube.readAll()
        let plain = try Preprocessor.plan(for: s.cube, parameters: SegmentationParameters())
        #expect(plain.data?.countUnit == 1 && plain.recipe.intensityScale == nil && plain.linearRecipe.intensityScale == nil)
        // 0.731 of a count per count (not whole numbers); 100 per count (whole numbers, counts per second at 10 ms).
        for factor: Float in [0.731, 100] {
            let scaled = Datacube(height: 32, width: 32, channels: 256, values: counts.map { $0 * factor })
            let plan = try Preprocessor.plan(for: scaled, parameters: SegmentationParameters())
            let data = try #require(plan.data)
            #expect(data.kind == .counts, "\(factor): \(data.reason)")
            #expect(abs(try #require(data.countUnit) / Double(factor) - 1) < 1e-6)
            #expect(data.reason.contains("whole multiples of \(String(format: "%.6g", Double(factor)))"), "\(data.reason)")
            #expect(abs(data.meanSignalCounts / plain.data!.meanSignalCounts - 1) < 1e-5)
            // Bins, transforms and background read in counts: the same as the cube stored as counts.
            #expect(plan.bins == plain.bins && plan.linearBins == plain.linearBins)
            #expect(plan.linearRecipe.transform == .anscombe)
            #expect(plan.recipe.intensityScale == data.countUnit && plan.linearRecipe.intensityScale == data.countUnit)
            #expect(plan.background?.unit == data.countUnit)
            #expect(plan.transformReason.contains("values in counts"))
            let a = try Preprocessor(recipe: plan.linearRecipe).prepare(scaled).spectra.storage
            let b = try Preprocessor(recipe: plain.linearRecipe).prepare(s.cube).spectra.storage
            #expect(a.count == b.count)
            #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4)
        }
    }

    /// A 32 x 32 x 256 painting of 400 counts per pixel segmented by PCA (seed 3, K up to
    /// 8) as counts, and as the values `stored` makes of its counts (same layout).
    private static func segmentedAsCountsAnd(_ stored: ([Float]) -> [Float]) throws -> (SegmentationResult, SegmentationResult) {
        let s = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2)
        let other = Datacube(height: 32, width: 32, channels: 256, values: stored(try s.cube.readAll()))
        var p = SegmentationParameters()
        p.embedding = .pca; p.seed = 3; p.kMax = 8
        return (try Segmenter(parameters: p).segment(s.cube), try Segmenter(parameters: p).segment(other))
    }

    @Test("a painting stored in another unit of counts gets the map it gets in counts")
    func countsInAnotherUnitSegmentAlike() throws {
        let (inCounts, inOtherUnit) = try Self.segmentedAsCountsAnd { counts in counts.map { $0 * 0.731 } }
        #expect(inOtherUnit.decisions.data?.kind == .counts)
        #expect(inOtherUnit.decisions.clusterModel == .kmeans)
        #expect(inOtherUnit.chosenK == inCounts.chosenK)
        #expect(ClusteringMetrics.adjustedRandIndex(inCounts.labels, inOtherUnit.labels) > 0.99)
        #expect(abs(try #require(inOtherUnit.model.preprocessing.intensityScale) - 0.731) < 1e-6)
    }

    /// `counts` (height x width x channels, row major) divided pixel by pixel by a live-time
    /// share drawn uniformly in [0.8, 1]: off any lattice, zeros kept.
    private static func liveTimeCorrected(_ counts: [Float], pixels: Int, channels: Int) -> (values: [Float], meanFactor: Double) {
        var g = SeededGenerator(seed: 11)
        var v = counts, sum = 0.0
        for p in 0..<pixels {
            let live = 0.8 + 0.2 * g.nextDouble()
            sum += 1 / live
            for k in 0..<channels { v[p * channels + k] = Float(Double(counts[p * channels + k]) / live) }
        }
        return (v, sum / Double(pixels))
    }

    @Test("counts divided pixel by pixel by a live time lie on no lattice but are read as counts, each worth about the mean correction")
    func countsDividedPerPixel() throws {
        let s = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2)
        let (values, meanFactor) = Self.liveTimeCorrected(try s.cube.readAll(), pixels: 32 * 32, channels: 256)
        let corrected = Datacube(height: 32, width: 32, channels: 256, values: values)
        let stats = try CubeStatistics.measure(corrected, channels: 0..<256)
        #expect(stats.countQuantum == nil && !stats.wholeNumbers)
        let data = try #require(try Preprocessor.plan(for: corrected, parameters: SegmentationParameters()).data)
        #expect(data.kind == .counts, "\(data.reason)")
        // One count is worth the correction (about 1.12 here), measured within 10%.
        #expect(abs(try #require(data.countUnit) / meanFactor - 1) < 0.1, "\(data.countUnit ?? 0) against \(meanFactor)")
        #expect(data.reason.contains("exactly 0") && data.reason.contains("live time"), "\(data.reason)")
        #expect(abs(data.meanSignalCounts / 400 - 1) < 0.15, "\(data.meanSignalCounts)")
    }

    @Test("values off a lattice are not read as counts with few zeros, with negative values, or with a dispersion that changes with the level")
    func offLatticeRefusals() throws {
        let s = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2)
        let counts = try s.cube.readAll()
        let (values, _) = Self.liveTimeCorrected(counts, pixels: 32 * 32, channels: 256)
        let base = try CubeStatistics.measure(Datacube(height: 32, width: 32, channels: 256, values: values), channels: 0..<256)
        #expect(DataKindDecision.normalizedCountUnit(base) != nil)
        var fewZeros = base; fewZeros.zeroFraction = DataKindDecision.normalizedCountsZeroFraction / 2
        #expect(DataKindDecision.normalizedCountUnit(fewZeros) == nil)
        var negative = base; negative.negativeFraction = 0.01
        #expect(DataKindDecision.normalizedCountUnit(negative) == nil)
        var levels = base; levels.dispersionByLevel = [0.1, 0.5, 1.1]
        #expect(DataKindDecision.normalizedCountUnit(levels) == nil)
        #expect(DataKindDecision(statistics: levels, meanSignalTotal: 400).kind == .continuous)
        #expect(base.belowHalfCountShare == 0)
        var subCount = base; subCount.belowHalfCountShare = 0.05
        #expect(DataKindDecision.normalizedCountUnit(subCount) == nil)
        var lattice = base; lattice.countQuantum = 1
        #expect(DataKindDecision.normalizedCountUnit(lattice) == nil)
        // Fluxes with noise proportional to their mean and no zeros stay fluxes.
        let fluxes = cube(16, 16, 64) { p, k, g in Float((20 + Double(k % 5)) * (1 + 0.2 * g.nextGaussian().magnitude)) }
        let f = try CubeStatistics.measure(fluxes, channels: 0..<64)
        #expect(f.zeroFraction == 0 && f.countQuantum == nil)
        #expect(DataKindDecision(statistics: f, meanSignalTotal: 1000).kind == .continuous)
        // Sky-subtracted fluxes clipped at 0: zeros, none negative, but values of every size.
        let clipped = cube(16, 16, 64) { p, k, g in
            let source = Double(k % 8) * Double(p % 16) / 4, sky = 20.0
            return Float(max(0, source + (source + sky).squareRoot() * g.nextGaussian()))
        }
        let c = try CubeStatistics.measure(clipped, channels: 0..<64)
        #expect(c.zeroFraction > DataKindDecision.normalizedCountsZeroFraction && c.negativeFraction == 0)
        #expect(c.belowHalfCountShare > 0.05, "\(c.belowHalfCountShare)")
        #expect(DataKindDecision(statistics: c, meanSignalTotal: 1000).kind == .continuous)
    }

    @Test("a painting whose counts were divided pixel by pixel by a live time gets the map its counts get")
    func countsDividedPerPixelSegmentAlike() throws {
        let (inCounts, normalized) = try Self.segmentedAsCountsAnd { counts in
            Self.liveTimeCorrected(counts, pixels: 32 * 32, channels: 256).values
        }
        #expect(normalized.decisions.data?.kind == .counts)
        #expect(normalized.decisions.transform == .anscombe)
        #expect(normalized.chosenK == inCounts.chosenK)
        #expect(ClusteringMetrics.adjustedRandIndex(inCounts.labels, normalized.labels) > 0.95)
    }

    /// A size x size x 256 painting of 400 counts per pixel, and the same read through an
    /// amplifier (`readThroughAmplifier`, 1.5 counts of read noise, 3.7 per count).
    private static func paintingWithReadNoise(size: Int) throws -> (counts: Datacube, digitalNumbers: Datacube) {
        let s = SyntheticCubes.maxrf(size: size, channels: 256, counts: 400, seed: 2)
        let dn = readThroughAmplifier(try s.cube.readAll(), sigma: 1.5, gain: 3.7)
        return (s.cube, Datacube(height: size, width: size, channels: 256, values: dn))
    }

    @Test("counts with Gaussian read noise, the dark level subtracted, are read as counts with their gain and the noise's variance")
    func countsWithReadNoise() throws {
        // 64 x 64: the brightest third's variance holds some of the materials' texture, which
        // on a smaller painting (more boundary pairs) makes a count look 35% larger.
        let (counts, dn) = try Self.paintingWithReadNoise(size: 64)
        let stats = try CubeStatistics.measure(dn, channels: 0..<256)
        #expect(stats.negativeFraction > 0.1 && stats.levelMoments.count == 3)
        let data = try #require(try Preprocessor.plan(for: dn, parameters: SegmentationParameters()).data)
        #expect(data.kind == .counts, "\(data.reason)")
        #expect(abs(try #require(data.countUnit) / 3.7 - 1) < 0.2, "\(data.countUnit ?? 0)")
        #expect(abs(try #require(data.readNoiseVariance) / (1.5 * 1.5) - 1) < 0.35, "\(data.readNoiseVariance ?? 0)")
        #expect(data.reason.contains("read noise") && data.reason.contains("negative"), "\(data.reason)")
        // The same counts without read noise have no such variance.
        let clean = try #require(try Preprocessor.plan(for: counts, parameters: SegmentationParameters()).data)
        #expect(clean.kind == .counts && clean.readNoiseVariance == nil)
    }

    @Test("values with negatives are not read as counts with read noise when their variance is off one line over the levels, or the line has no slope or no intercept")
    func readNoiseRefusals() throws {
        let base = try CubeStatistics.measure(try Self.paintingWithReadNoise(size: 32).digitalNumbers, channels: 0..<256)
        #expect(DataKindDecision.readNoiseCounts(base) != nil)
        var noNegatives = base; noNegatives.negativeFraction = 0
        #expect(DataKindDecision.readNoiseCounts(noNegatives) == nil)
        for factor in [0.6, 1.4] {
            var bent = base; bent.levelMoments[1].variance *= factor
            #expect(DataKindDecision.readNoiseCounts(bent) == nil)
            #expect(DataKindDecision(statistics: bent, meanSignalTotal: 400).kind == .continuous)
        }
        var flat = base; flat.levelMoments[2].variance = flat.levelMoments[0].variance * 0.9
        #expect(DataKindDecision.readNoiseCounts(flat) == nil)
        var noReadNoise = base; noReadNoise.levelMoments[0].variance = 0
        #expect(DataKindDecision.readNoiseCounts(noReadNoise) == nil)
        #expect(base.halfFluxChannelShare < 0.1, "\(base.halfFluxChannelShare)")
        var continuum = base; continuum.halfFluxChannelShare = SpectrumShape.lineSpectrumShare
        #expect(DataKindDecision.readNoiseCounts(continuum) == nil)
        // Sky-subtracted fluxes whose sky differs from channel to channel (sky lines): the
        // noise is not one line of the mean, so they stay fluxes.
        let sky = cube(16, 16, 96) { p, k, g in
            let source = Double(k % 6) * Double(p % 16) / 3, skyLevel = k % 7 == 0 ? 400.0 : 5.0
            return Float(source + (source + skyLevel).squareRoot() * g.nextGaussian())
        }
        let f = try CubeStatistics.measure(sky, channels: 0..<96)
        #expect(f.negativeFraction > 0.01)
        #expect(DataKindDecision.readNoiseCounts(f) == nil, "\(f.levelMoments)")
    }

    @Test("a painting read through an amplifier with read noise gets the counts' K and a map as good as theirs")
    func countsWithReadNoiseSegmentAlike() throws {
        let (inCounts, withReadNoise) = try Self.segmentedAsCountsAnd { counts in
            readThroughAmplifier(counts, sigma: 1.5, gain: 3.7)
        }
        #expect(withReadNoise.decisions.data?.kind == .counts)
        #expect(withReadNoise.decisions.transform == .anscombe)
        #expect(withReadNoise.model.preprocessing.readNoiseVariance != nil)
        #expect(withReadNoise.chosenK == inCounts.chosenK)
        // Read as fluxes (before read noise was recognised) this map scored 0.746; in counts 0.820.
        let truth = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 2).labels
        let ari = ClusteringMetrics.adjustedRandIndex(truth, withReadNoise.labels)
        #expect(ari >= ClusteringMetrics.adjustedRandIndex(truth, inCounts.labels) - 0.02, "\(ari)")
    }

    @Test("the count lattice: found from the smallest value, refused for one value off it, for fluxes and for ratios beyond float precision")
    func countLattice() {
        #expect(CubeStatistics.countQuantum(smallestPositive: 0.5, wholeNumbers: false, sample: [0.5, 1, 3.5, 100]) == 0.5)
        #expect(CubeStatistics.countQuantum(smallestPositive: 0.5, wholeNumbers: false, sample: [0.5, 1, 3.7]) == nil)
        #expect(CubeStatistics.countQuantum(smallestPositive: 3, wholeNumbers: true, sample: [3, 6, 7]) == 1)
        #expect(CubeStatistics.countQuantum(smallestPositive: 3, wholeNumbers: true, sample: [3, 6, 9]) == 3)
        #expect(CubeStatistics.countQuantum(smallestPositive: 1, wholeNumbers: true, sample: [1, 2]) == 1)
        #expect(CubeStatistics.countQuantum(smallestPositive: 1e-6, wholeNumbers: false, sample: [1e-6, 8]) == nil)
        var g = SeededGenerator(seed: 8)
        let fluxes = (0..<1000).map { _ in Float(5 + g.nextGaussian()) }
        #expect(CubeStatistics.countQuantum(smallestPositive: fluxes.min()!, wholeNumbers: false, sample: fluxes) == nil)
    }

    @Test("counts with read noise are binned by their counts: the noise's positive half does not count, its signed total cancels out")
    func readNoiseCountsBinnedByTheirCounts() throws {
        let s = SyntheticCubes.maxrf(size: 32, channels: 1024, counts: 120, seed: 4)
        let dn = Datacube(height: 32, width: 32, channels: 1024,
                          values: readThroughAmplifier(try s.cube.readAll(), sigma: 1.5, gain: 3.7))
        let stats = try CubeStatistics.measure(dn, channels: 0..<1024)
        // Positive values alone: about 0.6 counts of read noise per channel, 600 per pixel.
        let positive = stats.meanSignalTotal(threshold: 0, signed: false) / 3.7
        let signed = stats.meanSignalTotal(threshold: 0, signed: true) / 3.7
        #expect(positive > 500 && abs(signed / 120 - 1) < 0.05, "\(positive), \(signed)")
        let clean = try Preprocessor.plan(for: s.cube, parameters: SegmentationParameters())
        let plan = try Preprocessor.plan(for: dn, parameters: SegmentationParameters())
        let data = try #require(plan.data)
        #expect(data.readNoiseVariance != nil, "\(data.reason)")
        let cleanCounts = try #require(clean.data).meanSignalCounts
        #expect(abs(data.meanSignalCounts / cleanCounts - 1) < 0.2, "\(data.meanSignalCounts), \(cleanCounts)")
        #expect(plan.bins == clean.bins && plan.linearBins == clean.linearBins, "\(plan.bins), \(plan.linearBins)")
    }

    @Test("a pixel's signed total keeps its negative values; its total leaves them out")
    func signedTotals() throws {
        let c = Datacube(height: 1, width: 3, channels: 3, values: [2, -1, 3, -2, -2, 1, .nan, 4, -1])
        let stats = try CubeStatistics.measure(c, channels: 0..<3)
        #expect(stats.totals == [5, 1, 4])
        #expect(stats.signedTotals == [4, -3, 3])
        #expect(stats.meanSignalTotal(threshold: 2, signed: true) == 3.5)
        #expect(stats.meanSignalTotal(threshold: 2, signed: false) == 4.5)
    }

    @Test("reflectances are not counts, and automatic bins keep every channel")
    func reflectance() throws {
        let c = cube(12, 12, 40) { p, k, g in Float(0.2 + 0.001 * Double(k) + 0.01 * g.nextGaussian()) }
        let plan = try Preprocessor.plan(for: c, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .continuous && plan.data?.countUnit == nil)
        #expect(plan.bins == 40)
    }

    @Test("Poisson counts with 1,024 channels at 120 counts per pixel are summed into 128 bins for the autoencoder, 512 for PCA")
    func countBins() throws {
        let s = SyntheticCubes.maxrf(size: 24, channels: 1024, counts: 120, seed: 4)
        let plan = try Preprocessor.plan(for: s.cube, parameters: SegmentationParameters())
        #expect(plan.data?.kind == .counts)
        #expect(plan.bins == 128)
        #expect(plan.linearBins == 512)
    }

    @Test("counts are Anscombe-transformed for PCA and log-max for the autoencoder; other data log-max for both")
    func automaticTransforms() throws {
        let counts = try Preprocessor.plan(for: SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube,
                                           parameters: SegmentationParameters())
        #expect(counts.recipe.transform == .logMax)
        #expect(counts.linearRecipe.transform == .anscombe)
        #expect(counts.linearRecipe.binEdges.count - 1 == counts.linearBins)
        #expect(counts.transformReason.hasPrefix("counts"))
        let reflectance = try Preprocessor.plan(for: cube(12, 12, 40) { p, k, g in Float(0.2 + 0.001 * Double(k) + 0.01 * g.nextGaussian()) },
                                                parameters: SegmentationParameters())
        #expect(reflectance.recipe.transform == .logMax)
        #expect(reflectance.linearRecipe.transform == .logMax)
        #expect(reflectance.transformReason.hasPrefix("not counts"))
    }

    @Test("a transform that is given is used for both the autoencoder and PCA")
    func givenTransform() throws {
        var p = SegmentationParameters()
        p.transform = .robust
        let plan = try Preprocessor.plan(for: SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube, parameters: p)
        #expect(plan.recipe.transform == .robust)
        #expect(plan.linearRecipe.transform == .robust)
        #expect(plan.transformReason == "robust given")
    }

    @Test("a segmentation of counts by PCA records the Anscombe transform and its reason in its decisions")
    func decisionsRecordTransform() throws {
        var p = SegmentationParameters()
        p.embedding = .pca; p.seed = 3; p.kMax = 4
        let result = try Segmenter(parameters: p).segment(SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube)
        #expect(result.decisions.transform == .anscombe)
        #expect(result.model.preprocessing.transform == .anscombe)
        #expect(result.decisions.transformReason.contains("anscombe"))
    }

    @Test("a null transform in job parameters means automatic, a name sets it")
    func transformParameter() throws {
        let decode = { (json: String) in try JSONDecoder().decode(SegmentationParameters.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"transform": null}"#).transform == nil)
        #expect(try decode(#"{}"#).transform == nil)
        #expect(try decode(#"{"transform": "anscombe"}"#).transform == .anscombe)
        #expect(throws: DecodingError.self) { try decode(#"{"transform": "sqrt"}"#) }
    }
}
