import CubeFormats
import Foundation

/// What the automatic choices learn about a cube in one pass over it (cropped channels,
/// negatives, NaN and infinities as 0): per-pixel totals, and the evidence that tells
/// photon counts from other data, measured over the finite values only.
public struct CubeStatistics: Sendable {
    /// Total of every pixel, row major (height, width).
    public var totals: [Float]
    /// Total of every pixel with its negative values, row major (height, width); empty
    /// when not measured. Noise about 0 (read noise, the dark level subtracted) cancels out
    /// of it, while `totals` collects the noise's positive half: 0.4 s per channel for read
    /// noise of s, with 1 count of it on 4,096 channels about 1,600 counts per pixel.
    public var signedTotals: [Float] = []
    /// Whether each pixel (row major) holds at least one finite value; pixels without
    /// data are left out of every automatic decision (`Preprocessor`).
    public var hasData: [Bool]
    /// Whether every finite value is a whole number.
    public var wholeNumbers: Bool
    /// The spacing q > 0 of a lattice every finite value lies on (each value a whole
    /// multiple of q), found from the smallest positive value and checked on a sample of
    /// pixels spread over the cube (`countQuantum(smallestPositive:wholeNumbers:sample:)`):
    /// the value of one count when counts are stored in another unit (counts per second at a
    /// fixed dwell time, counts times a calibration factor). 1 for whole numbers on no
    /// coarser lattice; nil when the values lie on none (fluxes, reflectance).
    public var countQuantum: Double?
    /// Fraction of the finite values of non-empty pixels (a positive total) that are
    /// exactly 0: how sparse the spectra are, whatever empty border or padding the cube has.
    public var zeroFraction: Double
    /// The smallest share of the channels that holds half the flux of the summed spectrum
    /// (every finite value, negative ones too, so that noise about 0 cancels out; channels
    /// whose sum is negative as 0): how a spectrum's signal is spread. Line spectra
    /// concentrate it (X-ray fluorescence: 0.02-0.11 on the 26 MA-XRF cubes of both
    /// simulators, 0.03-0.13 on 35 of them with read noise of 0.5-4 counts, which positive
    /// values alone spread to 0.05-0.49), a spectrograph's continuum spreads it (IFU cubes: 0.28-0.46,
    /// airborne reflectance and radiance 0.26-0.28). 0 when there is no flux.
    public var halfFluxChannelShare: Double
    /// Median over horizontally adjacent pixel pairs (a, b) of sum_c (a_c - b_c)^2 /
    /// sum_c (a_c + b_c): the noise variance over the mean. Poisson counts give about 1
    /// (neighbours mostly share a material, so their difference is noise); scaled radiance,
    /// reflectance and fluxes give whatever their units make of it. Pairs with no signal are
    /// skipped; 0 when there is none.
    public var dispersion: Double
    /// Fraction of the finite values that are negative: none for photon counts; sky- or
    /// dark-subtracted fluxes and atmospherically corrected reflectance hold some.
    public var negativeFraction: Double = 0
    /// The dispersion (as `dispersion`) within the dimmest, the middle and the brightest
    /// third of the channels, ranked by their summed values, over the horizontally
    /// adjacent pairs of at most `levelSampleRows` rows spread over the cube; 0 for a third
    /// without signal, empty for fewer than 3 channels. Poisson counts' noise variance is
    /// their mean at every level (MA-XRF cubes of both simulators: the largest of the three
    /// at most 1.4 times the smallest). Digital numbers, a gain times electrons over a dark
    /// offset, do not: the offset adds to the mean, not to the variance, so the ratio grows
    /// with the level (the airborne scenes' radiance in digital numbers: 3.7-150 times).
    public var dispersionByLevel: [Double] = []
    /// The share of the sampled nonzero values (those the lattice check samples) whose
    /// magnitude is below half the smallest positive `dispersionByLevel`, which is one
    /// count's value if the values are counts: none for counts, however they were divided
    /// per pixel (one count is never worth much less than a typical count); fluxes clipped at
    /// 0 hold many (sky-subtracted IFU cubes of both simulators, clipped: 29-34%). 1 when no
    /// level holds signal.
    public var belowHalfCountShare: Double = 1
    /// The noise's variance against the mean value at the three levels of
    /// `dispersionByLevel` (the same thirds of the channels and pairs), in the cube's unit,
    /// negative values as they are: per third, the median over the pairs (a, b) of
    /// mean_c (a_c + b_c) / 2 and of mean_c (a_c - b_c)^2 / 2. Counts read through an
    /// amplifier (Gaussian read noise of variance s^2 on every value, the dark level
    /// subtracted, so that empty channels scatter about 0) lie on one line, variance =
    /// q mean + s^2, q one count's value (`DataKindDecision.readNoiseCounts`). Empty for
    /// fewer than 3 channels.
    public var levelMoments: [LevelMoments] = []
    /// The sum of every finite value of each of `channels` (negative ones too), in order;
    /// what ranks the channels into the thirds of `dispersionByLevel`. Empty when not
    /// measured.
    public var channelSums: [Double] = []

    /// The mean value and the noise variance of one level of `levelMoments`.
    public struct LevelMoments: Sendable, Equatable {
        public var mean: Double
        public var variance: Double
    }

    /// One pass over `cube`'s channels `channels`, in row blocks.
    /// - Throws: what reading the cube throws.
    public static func measure(_ cube: Datacube, channels: Range<Int>) throws -> CubeStatistics {
        let c = cube.channels, w = cube.width
        var totals = [Float](repeating: 0, count: cube.pixelCount)
        var signedTotals = [Float](repeating: 0, count: cube.pixelCount)
        var hasData = [Bool](repeating: false, count: cube.pixelCount)
        var integral = true
        var zeros = 0, finite = 0 // over non-empty pixels
        var negatives = 0, finiteValues = 0 // over every pixel
        var ratios: [Float] = []
        ratios.reserveCapacity(cube.height * max(0, w - 1))
        var channelSums = [Double](repeating: 0, count: channels.count)
        var smallestPositive = Float.infinity
        // The nonzero values of about `latticeSamplePixels` pixels spread over the cube.
        let sampleStride = max(1, cube.pixelCount / latticeSamplePixels)
        var sample: [Float] = []
        try cube.forEachRowBlock { rows, values in
            let first = rows.lowerBound * w
            for p in 0..<(rows.count * w) {
                let base = p * c
                var s: Double = 0, signed: Double = 0
                var whole = true
                var finiteHere = 0, zerosHere = 0
                let sampled = (first + p) % sampleStride == 0 && sample.count < latticeSampleValues
                for ch in channels {
                    let v = values[base + ch]
                    guard v.isFinite else { continue }
                    finiteHere += 1
                    channelSums[ch - channels.lowerBound] += Double(v) // signed: noise about 0 cancels out
                    signed += Double(v)
                    if v > 0 {
                        s += Double(v); smallestPositive = min(smallestPositive, v)
                    } else if v == 0 { zerosHere += 1 } else { negatives += 1 }
                    whole = whole && v.rounded(.towardZero) == v
                    if sampled && v != 0 { sample.append(abs(v)) }
                }
                totals[first + p] = Float(s)
                signedTotals[first + p] = Float(signed)
                hasData[first + p] = finiteHere > 0
                if s > 0 { finite += finiteHere; zeros += zerosHere }
                finiteValues += finiteHere
                integral = integral && whole
                // The pair (p, p + 1) within one image row, over the channels finite in both.
                guard (p % w) + 1 < w else { continue }
                var diff: Double = 0, sum: Double = 0
                for ch in channels {
                    let va = values[base + ch], vb = values[base + c + ch]
                    guard va.isFinite && vb.isFinite else { continue }
                    let a = Double(max(0, va)), b = Double(max(0, vb))
                    diff += (a - b) * (a - b); sum += a + b
                }
                if sum > 0 { ratios.append(Float(diff / sum)) }
            }
        }
        let (levels, moments) = try dispersionByLevel(cube, channels: channels, channelSums: channelSums)
        return CubeStatistics(totals: totals, signedTotals: signedTotals, hasData: hasData, wholeNumbers: integral,
                              countQuantum: countQuantum(smallestPositive: smallestPositive, wholeNumbers: integral, sample: sample),
                              zeroFraction: finite > 0 ? Double(zeros) / Double(finite) : 0,
                              halfFluxChannelShare: halfFluxChannelShare(channelSums),
                              dispersion: Self.median(&ratios),
                              negativeFraction: finiteValues > 0 ? Double(negatives) / Double(finiteValues) : 0,
                              dispersionByLevel: levels,
                              belowHalfCountShare: belowHalfShare(sample, of: DataKindDecision.smallestLevel(levels)),
                              levelMoments: moments, channelSums: channelSums)
    }

    /// These statistics with `dispersionByLevel` and `levelMoments` measured again on
    /// `cube`'s `channels` (those they were measured on) over the pairs of pixels that are
    /// both `kept` (one per pixel, row major): an empty margin's pairs, read noise alone,
    /// are a median's majority on a framed painting and pull the levels to the noise's.
    /// `belowHalfCountShare` and every other field are kept.
    public func measuringLevelsAgain(_ cube: Datacube, channels: Range<Int>, kept: [Bool]) throws -> CubeStatistics {
        precondition(kept.count == cube.pixelCount && channelSums.count == channels.count,
                     "one flag per pixel, and the channel sums of these channels")
        var again = self
        (again.dispersionByLevel, again.levelMoments) = try Self.dispersionByLevel(cube, channels: channels, channelSums: channelSums,
                                                                                   kept: kept)
        return again
    }

    /// The share of `magnitudes` (nonzero) below half of `count`; 1 without a count or values.
    static func belowHalfShare(_ magnitudes: [Float], of count: Double?) -> Double {
        guard let count, !magnitudes.isEmpty else { return 1 }
        let half = Float(count / 2)
        return Double(magnitudes.reduce(0) { $0 + ($1 < half ? 1 : 0) }) / Double(magnitudes.count)
    }

    /// Rows whose adjacent pairs `dispersionByLevel` measures, spread evenly over the cube.
    static let levelSampleRows = 64

    /// `dispersionByLevel` and `levelMoments` of `cube`'s `channels`, whose summed values
    /// are `channelSums`: the channels split into thirds by those sums (the first
    /// third the dimmest), then per third the median over pairs of sum (a - b)^2 / sum (a + b)
    /// (negatives as 0), and the medians of the pairs' mean value and noise variance
    /// (negatives as they are); over the pairs whose pixels are both `kept` (one per pixel,
    /// row major) when given.
    static func dispersionByLevel(_ cube: Datacube, channels: Range<Int>, channelSums: [Double], kept: [Bool]? = nil) throws
        -> (dispersions: [Double], moments: [LevelMoments]) {
        let n = channels.count, c = cube.channels, w = cube.width
        guard n >= 3, w >= 2, cube.height >= 1 else { return ([], []) }
        var third = [Int](repeating: 0, count: n)
        for (rank, i) in channelSums.indices.sorted(by: { channelSums[$0] < channelSums[$1] }).enumerated() {
            third[i] = min(2, rank * 3 / n)
        }
        var ratios: [[Float]] = [[], [], []], means: [[Float]] = [[], [], []], variances: [[Float]] = [[], [], []]
        let rows = min(cube.height, levelSampleRows)
        for r in 0..<rows {
            let y = r * cube.height / rows
            let row = try cube.readRows(y..<(y + 1))
            for x in 0..<(w - 1) where kept.map({ $0[y * w + x] && $0[y * w + x + 1] }) ?? true {
                // Per third: over the clipped values, then over the signed ones.
                var diff = SIMD3<Double>(), sum = SIMD3<Double>()
                var signedDiff = SIMD3<Double>(), signedSum = SIMD3<Double>(), terms = SIMD3<Double>()
                for ch in channels {
                    let va = row[x * c + ch], vb = row[(x + 1) * c + ch]
                    guard va.isFinite && vb.isFinite else { continue }
                    let t = third[ch - channels.lowerBound]
                    let sa = Double(va), sb = Double(vb)
                    let a = max(0, sa), b = max(0, sb)
                    diff[t] += (a - b) * (a - b); sum[t] += a + b
                    signedDiff[t] += (sa - sb) * (sa - sb); signedSum[t] += sa + sb; terms[t] += 1
                }
                for t in 0..<3 {
                    if sum[t] > 0 { ratios[t].append(Float(diff[t] / sum[t])) }
                    if terms[t] > 0 {
                        means[t].append(Float(signedSum[t] / (2 * terms[t])))
                        variances[t].append(Float(signedDiff[t] / (2 * terms[t])))
                    }
                }
            }
        }
        return ((0..<3).map { median(&ratios[$0]) },
                (0..<3).map { LevelMoments(mean: median(&means[$0]), variance: median(&variances[$0])) })
    }

    /// Pixels whose values the lattice check samples, and the most values it keeps.
    static let latticeSamplePixels = 2048
    static let latticeSampleValues = 1 << 18

    /// The lattice spacing of `countQuantum`: `smallestPositive` when every value of
    /// `sample` (nonzero magnitudes) is a whole multiple of it, n q, within 0.01 + 4 n
    /// float epsilons (a float32 product's rounding) and n below 2^22; else 1 for whole
    /// numbers, nil for other data. Fluxes fail at once: their smallest value is far below
    /// the others and the ratios' fractions are spread evenly.
    static func countQuantum(smallestPositive: Float, wholeNumbers: Bool, sample: [Float]) -> Double? {
        let fallback: Double? = wholeNumbers ? 1 : nil
        guard smallestPositive.isFinite, smallestPositive > 0, smallestPositive != 1 else { return fallback }
        let q = Double(smallestPositive)
        for v in sample {
            let n = Double(v) / q
            guard n < 4_194_304, abs(n - n.rounded()) <= 0.01 + 4 * Double(Float.ulpOfOne) * n else { return fallback }
        }
        return sample.isEmpty ? fallback : q
    }

    /// The smallest share of `sums` (per channel, >= 0) that holds half their total: the
    /// largest channels taken first.
    static func halfFluxChannelShare(_ signedSums: [Double]) -> Double {
        let sums = signedSums.map { max(0, $0) }
        let total = sums.reduce(0, +)
        guard total > 0 else { return 0 }
        var held = 0.0, n = 0
        for v in sums.sorted(by: >) {
            held += v; n += 1
            if held >= total / 2 { break }
        }
        return Double(n) / Double(sums.count)
    }

    /// The totals of the pixels that hold data, in row-major order.
    public var dataTotals: [Float] { zip(totals, hasData).compactMap { $1 ? $0 : nil } }

    /// Whether each pixel (row major) holds data and a total (`totals`) of at least `threshold`.
    public func signal(threshold: Double) -> [Bool] {
        totals.indices.map { hasData[$0] && Double(totals[$0]) >= threshold }
    }

    /// The mean total of the pixels that hold data and whose `totals` is at least
    /// `threshold`: their `signedTotals` when `signed` (and measured), their `totals`
    /// otherwise; 0 when there are none.
    public func meanSignalTotal(threshold: Double, signed: Bool) -> Double {
        meanSignalTotal(of: signal(threshold: threshold), signed: signed)
    }

    /// The mean total of the pixels flagged in `signal` (one per pixel, row major): their
    /// `signedTotals` when `signed` (and measured), their `totals` otherwise; 0 when none is.
    public func meanSignalTotal(of signal: [Bool], signed: Bool) -> Double {
        precondition(signal.count == totals.count, "one flag per pixel")
        let values = signed && signedTotals.count == totals.count ? signedTotals : totals
        var sum = 0.0, n = 0
        for p in totals.indices where signal[p] {
            sum += Double(values[p]); n += 1
        }
        return n > 0 ? sum / Double(n) : 0
    }

    static func median(_ values: inout [Float]) -> Double {
        guard !values.isEmpty else { return 0 }
        let mid = values.count / 2
        values.sort()
        return values.count % 2 == 1 ? Double(values[mid]) : (Double(values[mid - 1]) + Double(values[mid])) / 2
    }
}

/// Whether a cube holds photon (or electron) counts, which decides the bins, the transform
/// and the background rule; with the evidence, for `report.json`.
public struct DataKindDecision: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case counts, continuous }
    public var kind: Kind
    public var wholeNumbers: Bool
    /// For counts, the value of one count in the cube's unit (`CubeStatistics.countQuantum`):
    /// 1 for counts stored as counts; for counts divided per pixel by a reference, which
    /// lie on no lattice, the smallest of their dispersions per level (`normalizedCountUnit`);
    /// everything downstream reads the cube divided by it. Nil for other data.
    public var countUnit: Double?
    public var zeroFraction: Double
    /// `CubeStatistics.halfFluxChannelShare`: a line spectrum's few percent or a
    /// continuum's tens of percent (`ClusterModelRule`). Nil in reports written before it.
    public var halfFluxChannelShare: Double?
    /// Measured in the cube's unit (`CubeStatistics.dispersion`).
    public var dispersion: Double
    /// `CubeStatistics.negativeFraction`. Nil in reports written before it.
    public var negativeFraction: Double?
    /// `CubeStatistics.dispersionByLevel`, in the cube's unit. Nil in reports written
    /// before it.
    public var dispersionByLevel: [Double]?
    /// `CubeStatistics.belowHalfCountShare`. Nil in reports written before it.
    public var belowHalfCountShare: Double?
    /// `CubeStatistics.levelMoments` as [mean, variance] per third, in the cube's unit. Nil
    /// in reports written before it.
    public var levelMoments: [[Double]]?
    /// For counts read through an amplifier (`readNoiseCounts`), the read noise's variance
    /// in counts squared, which `Preprocessor` adds to every value (in counts) so that its
    /// variance is its mean again, as Anscombe's transform assumes (the generalised
    /// Anscombe transform of Murtagh, Starck and Bijaoui). Nil for other data.
    public var readNoiseVariance: Double?
    /// Mean total of the pixels kept as signal, in the cube's unit; for counts with read
    /// noise, of their signed totals (`CubeStatistics.signedTotals`), which the noise does
    /// not inflate.
    public var meanSignalTotal: Double
    public var reason: String

    /// Counts lie on a lattice (whole numbers, or whole multiples of one count's value) and
    /// their noise variance, in units of one count, is about their mean: a dispersion in
    /// this range (Poisson: 1; measured on AVIRIS scaled radiance: 3.2, on reflectance:
    /// 0.0002).
    public static let poissonDispersion = 0.5...2.0
    /// Counts are never negative: a cube with a larger share of negative values is not read
    /// as counts (a few bad pixels are tolerated). Atmospherically corrected reflectance
    /// stored times 10,000 as whole numbers holds negative values where the atmosphere
    /// absorbs, and can show a dispersion near 1 by chance (README, "Know the data").
    public static let countsNegativeFraction = 0.001
    /// Counts' dispersion is about the same at every level: a cube whose largest dispersion
    /// of the three thirds of its channels (`CubeStatistics.dispersionByLevel`) exceeds its
    /// smallest by more than this factor is not read as counts (MA-XRF counts of both
    /// simulators: at most 1.4; IFU cubes drawn as Poisson counts that pass the dispersion
    /// range: at most 1.2; airborne radiance in digital numbers that passes it: 3.7-150).
    public static let poissonLevelSpread = 2.0
    /// Counts divided pixel by pixel by a reference (the detector's live time, the incident
    /// flux I0) lie on no lattice, but keep the exact zeros of channels that caught no
    /// photon, which fluxes, radiance and reflectance do not have: off a lattice, values of
    /// which at least this share are 0 (and none negative, with one dispersion at every
    /// level) are read as such counts (MA-XRF counts of both simulators: 49-98% zeros; the
    /// IFU cubes and airborne scenes of the suite and the draws: at most 0.1%).
    public static let normalizedCountsZeroFraction = 0.1
    /// ... and at most this share of their nonzero values below half a count
    /// (`CubeStatistics.belowHalfCountShare`): fluxes clipped at 0 have zeros too, and a
    /// dispersion as even over the levels, but values of every size above 0.
    public static let normalizedCountsBelowHalfShare = 0.01

    /// Counts read through an amplifier lie on the line variance = q mean + s^2 at every
    /// level: the middle third's noise variance (`CubeStatistics.levelMoments`) may differ
    /// from the line through the dimmest and the brightest third's by at most this share
    /// (35 MA-XRF paintings of both simulators with read noise of 0.5-4 counts: within 5%,
    /// but for a 4,373-count painting with an intensity gradient, 15% below, where the
    /// materials' texture adds to the brightest third's variance; the other simulator's IFU
    /// fluxes with negative values, whose sky lines and continuum break the line: 40-58%
    /// below it).
    public static let readNoiseLineTolerance = 0.2

    /// One count's value q and the read noise's variance in counts squared, s^2 / q^2, of
    /// counts read through an amplifier (a CCD, a charge-integrating detector: Gaussian read
    /// noise on every value and the dark level subtracted, so empty channels scatter about
    /// 0 and many values are negative), from the line variance = q mean + s^2 through the
    /// dimmest and the brightest third's moments (`CubeStatistics.levelMoments`). Nil
    /// unless more than `countsNegativeFraction` of the values are negative (counts without
    /// read noise are read by the other rules), the spectra are line spectra
    /// (`SpectrumShape`), the slope and the intercept are positive, and the middle third lies
    /// on the line within `readNoiseLineTolerance`. Line spectra only: sky-subtracted fluxes
    /// lie on such a line too, the sky adding variance and no mean (CubeSeg's IFU galaxies
    /// within 0.3-3.5% of it), but their slope is the galaxy's texture, not a count's value
    /// (IFU cubes of both simulators and airborne scenes with negative values: half their
    /// flux in 28-48% of the channels; MA-XRF cubes with read noise: 3-13%).
    static func readNoiseCounts(_ s: CubeStatistics) -> (unit: Double, variance: Double)? {
        guard s.negativeFraction > countsNegativeFraction, s.levelMoments.count == 3,
              s.halfFluxChannelShare < SpectrumShape.lineSpectrumShare else { return nil }
        let (dim, middle, bright) = (s.levelMoments[0], s.levelMoments[1], s.levelMoments[2])
        guard bright.mean > dim.mean else { return nil }
        let q = (bright.variance - dim.variance) / (bright.mean - dim.mean)
        let s2 = dim.variance - q * dim.mean
        guard q > 0, s2 > 0, q.isFinite, s2.isFinite,
              abs(middle.variance / (q * middle.mean + s2) - 1) <= readNoiseLineTolerance else { return nil }
        return (q, s2 / (q * q))
    }

    /// One count's value in counts divided per pixel by a reference, from their dispersion
    /// per level (`CubeStatistics.dispersionByLevel`, the cube's unit): the smallest over
    /// the thirds that hold signal, the dimmest as a rule, where the materials' variation
    /// from pixel to pixel adds least to the Poisson noise. Nil when the values are not
    /// such counts: on a lattice, negative values, too few zeros, values below half a
    /// count, or a dispersion that changes with the level.
    static func normalizedCountUnit(_ s: CubeStatistics) -> Double? {
        guard s.countQuantum == nil, s.negativeFraction <= countsNegativeFraction,
              s.zeroFraction >= normalizedCountsZeroFraction, s.belowHalfCountShare <= normalizedCountsBelowHalfShare,
              let spread = levelSpread(s.dispersionByLevel), spread <= poissonLevelSpread,
              let unit = smallestLevel(s.dispersionByLevel) else { return nil }
        return unit
    }

    /// The smallest of `levels` that holds signal (positive and finite); nil if none does.
    static func smallestLevel(_ levels: [Double]) -> Double? { levels.filter { $0 > 0 && $0.isFinite }.min() }

    /// The largest of `levels` over the smallest, over the thirds that hold signal (a
    /// positive dispersion); nil when fewer than two do.
    static func levelSpread(_ levels: [Double]) -> Double? {
        let held = levels.filter { $0 > 0 && $0.isFinite }
        guard held.count >= 2, let lo = held.min(), let hi = held.max() else { return nil }
        return hi / lo
    }

    public init(statistics s: CubeStatistics, meanSignalTotal: Double) {
        wholeNumbers = s.wholeNumbers; zeroFraction = s.zeroFraction; dispersion = s.dispersion
        halfFluxChannelShare = s.halfFluxChannelShare
        negativeFraction = s.negativeFraction
        dispersionByLevel = s.dispersionByLevel
        belowHalfCountShare = s.belowHalfCountShare
        levelMoments = s.levelMoments.isEmpty ? nil : s.levelMoments.map { [$0.mean, $0.variance] }
        self.meanSignalTotal = meanSignalTotal
        let q = s.countQuantum
        let inCounts = q.map { s.dispersion / $0 }
        let d = String(format: "%.3g", inCounts ?? s.dispersion)
        let qText = q.map { String(format: "%.6g", $0) } ?? ""
        let lattice = q == 1 ? "whole numbers" : "values that are whole multiples of \(qText) (the smallest one)"
        if let (unit, variance) = Self.readNoiseCounts(s) {
            kind = .counts
            countUnit = unit
            readNoiseVariance = variance
            let m = s.levelMoments.map { String(format: "%.3g", $0.mean / unit) }
            let v = s.levelMoments.map { String(format: "%.3g", $0.variance / (unit * unit)) }
            let u = String(format: "%.4g", unit)
            reason = "\(String(format: "%.2g", 100 * s.negativeFraction))% of the values are negative, but in units of \(u) their neighbour-to-neighbour variance is \(v[0]), \(v[1]) and \(v[2]) where their mean is \(m[0]), \(m[1]) and \(m[2]) (the dimmest, middle and brightest third of the channels): one line, variance = mean + \(String(format: "%.3g", variance)), as counts with Gaussian read noise give. Counts read through an amplifier, read in counts, each worth \(u), with the read noise's variance added to every value (generalised Anscombe)"
        } else if q == nil, let unit = Self.normalizedCountUnit(s) {
            kind = .counts
            countUnit = unit
            let levels = s.dispersionByLevel.map { String(format: "%.3g", $0 / unit) }
            let u = String(format: "%.4g", unit)
            reason = "not whole numbers, nor whole multiples of one value, but \(String(format: "%.0f", 100 * s.zeroFraction))% of the values are exactly 0 and at most \(String(format: "%.2g", 100 * Self.countsNegativeFraction))% negative, and their neighbour-to-neighbour variance, in units of \(u), is \(levels[0]), \(levels[1]) and \(levels[2]) times their mean in the dimmest, middle and brightest third of the channels (Poisson counts: 1 at every level), and \(String(format: "%.2g", 100 * s.belowHalfCountShare))% of the nonzero values lie below half of \(u): counts divided pixel by pixel by a reference (live time, incident flux), read in counts, each worth \(u)"
        } else if q == nil {
            kind = .continuous
            reason = "not every value is a whole number, nor a whole multiple of one value: fluxes, radiance or reflectance, not counts"
        } else if s.negativeFraction > Self.countsNegativeFraction {
            kind = .continuous
            reason = "\(lattice), but \(String(format: "%.2g", 100 * s.negativeFraction))% of the values are negative, which counts never are: scaled values, not counts"
        } else if Self.poissonDispersion.contains(inCounts!),
                  let spread = Self.levelSpread(s.dispersionByLevel), spread > Self.poissonLevelSpread {
            kind = .continuous
            let levels = s.dispersionByLevel.map { String(format: "%.3g", $0 / (q ?? 1)) }
            reason = "\(lattice) whose neighbour-to-neighbour variance\(q == 1 ? "" : ", in units of \(qText),") is \(d) times their mean, but \(levels[0]), \(levels[1]) and \(levels[2]) times in the dimmest, middle and brightest third of the channels, where Poisson counts' is 1 at every level: scaled values over an offset, not counts"
        } else if Self.poissonDispersion.contains(inCounts!) {
            kind = .counts
            countUnit = q
            reason = q == 1
                ? "whole numbers whose neighbour-to-neighbour variance is \(d) times their mean (Poisson counts: 1)"
                : "\(lattice) whose neighbour-to-neighbour variance, in units of \(qText), is \(d) times their mean (Poisson counts: 1): counts, each worth \(qText), read in counts"
        } else {
            kind = .continuous
            reason = "\(lattice), but their neighbour-to-neighbour variance\(q == 1 ? "" : ", in units of \(qText),") is \(d) times their mean, far from the 1 of Poisson counts: scaled values, not counts"
        }
    }

    /// `meanSignalTotal` in counts (for counts; in the cube's unit otherwise).
    public var meanSignalCounts: Double { meanSignalTotal / (countUnit ?? 1) }

    enum CodingKeys: String, CodingKey {
        case kind, wholeNumbers = "whole_numbers", countUnit = "count_unit", zeroFraction = "zero_fraction", dispersion
        case halfFluxChannelShare = "half_flux_channel_share", negativeFraction = "negative_fraction"
        case dispersionByLevel = "dispersion_by_level", belowHalfCountShare = "below_half_count_share"
        case levelMoments = "level_moments", readNoiseVariance = "read_noise_variance"
        case meanSignalTotal = "mean_signal_total", reason
    }
}
