import Foundation

/// Automatic background threshold on per-pixel total counts.
///
/// Rule (Otsu's method on `log(1 + total / unit)`, with a bimodality test):
/// 0. The unit: for photon counts, one count (1, or its value when counts are stored in
///    another unit: `DataKindDecision.countUnit`); for other data (fluxes, radiance,
///    reflectance), the cube's dispersion, the variance-to-mean ratio of its noise
///    (`CubeStatistics.dispersion`), so totals are read as effective photon counts and the
///    decision does not depend on the unit the cube is stored in (`log(1 + x)` is linear
///    for small x and logarithmic for large x, so in the cube's own unit a background could
///    be found in millijansky and missed in jansky).
///    Counts read through an amplifier (`DataKindDecision.readNoiseVariance`): every
///    positive total holds the read noise's positive half (0.4 s counts per channel for
///    noise of s), which lifts an empty background to the level of noise (a framed painting
///    with 1-2 counts of read noise on 1,024 channels: the two classes' `log` 0.2-0.6 apart
///    where the clean painting's are 4.4-5.2). The rule reads instead each pixel's signed
///    total (`CubeStatistics.signedTotals`, in which noise about 0 cancels) over its
///    neighbourhood, within `readNoiseRadius` rows and columns (`readNoiseLevels`: the
///    median, or Kuwahara's mean where that is lower), which divides what noise remains by
///    about 4 and keeps a material's level: per pixel, 4 counts of read noise on 1,024
///    channels scatter a signed total by 128 counts, as much as a bone black holds (140).
/// 1. Histogram `v = log(1 + total / unit)` of every pixel in 256 equal bins between its minimum
///    and maximum; pick the split that maximises the between-class variance
///    `w0 * w1 * (mu1 - mu0)^2` (when several splits tie, e.g. along an empty gap, the middle
///    one).
/// 2. Accept it as a background/signal split only if the histogram is clearly bimodal:
///    Otsu's effectiveness `eta = between-class variance / total variance >= 0.8`
///    (a single Gaussian gives 0.64, a uniform spread 0.75), and the two classes' mean
///    `v` differ by at least `log(20)` (the background's typical total is at least 20
///    times below the signal's): empty background (no sample, sky) is that dark, while a
///    dark material is not (water in reflectance scenes is 5-10 times darker than soil,
///    a bone-black pigment in MA-XRF about 6 times), and must stay a class.
/// 3. Accepted: the threshold is `unit * (exp(split) - 1)` in the cube's own unit (pixels with a total
///    strictly below it are background). Rejected: the threshold is 0, which masks no
///    pixel, since totals are never negative.
public enum BackgroundThreshold {
    /// Minimum Otsu effectiveness for a split to count as background vs signal.
    public static let minimumEffectiveness = 0.8
    /// Minimum distance of the two class means of `log(1 + total)`.
    public static let minimumLogContrast = log(20.0)
    static let histogramBins = 256
    /// For counts with read noise (rule step 0): the rows and columns on either side of a
    /// pixel over which its level of signed totals is taken (`readNoiseLevels`), a 5 x 5 box.
    public static let readNoiseRadius = 2

    /// The outcome of the rule, with its evidence.
    public struct Decision: Sendable, Equatable, Codable {
        /// Threshold on pixel totals, in the cube's own unit; 0 when no background was found.
        public var threshold: Double
        /// What totals were divided by before the log: one count's value for counts, the
        /// noise's variance-to-mean ratio for other data (see the rule above).
        public var unit: Double
        /// Whether a background class was found.
        public var masks: Bool
        /// Otsu effectiveness of the best split (0 when all totals are equal).
        public var effectiveness: Double
        /// Difference of the class means of `log(1 + total / unit)` at the best split.
        public var logContrast: Double
        /// Nil when the totals were each pixel's own (negative values as 0); for counts with
        /// read noise, the rows and columns around each pixel over which its level of signed
        /// totals was taken (`readNoiseLevels`, rule step 0).
        public var radius: Int?

        enum CodingKeys: String, CodingKey {
            case threshold, unit, masks, effectiveness, logContrast = "log_contrast", radius
        }

        public init(threshold: Double, unit: Double = 1, masks: Bool, effectiveness: Double, logContrast: Double) {
            self.threshold = threshold; self.unit = unit; self.masks = masks
            self.effectiveness = effectiveness; self.logContrast = logContrast
        }

        /// Reports written before the unit was recorded read as unit 1.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            threshold = try c.decode(Double.self, forKey: .threshold)
            unit = try c.decodeIfPresent(Double.self, forKey: .unit) ?? 1
            masks = try c.decode(Bool.self, forKey: .masks)
            effectiveness = try c.decode(Double.self, forKey: .effectiveness)
            logContrast = try c.decode(Double.self, forKey: .logContrast)
            radius = try c.decodeIfPresent(Int.self, forKey: .radius)
        }
    }

    /// The unit totals are read in (rule step 0): one count's value for counts; for other
    /// data the dispersion when it is a positive finite number, else 1 (noise-free data).
    public static func unit(for data: DataKindDecision) -> Double {
        if data.kind == .counts { return data.countUnit ?? 1 }
        return data.dispersion.isFinite && data.dispersion > 0 ? data.dispersion : 1
    }

    /// Applies the rule above to `totals` (total per pixel, >= 0) read in `unit` (> 0).
    public static func decide(totals: [Float], unit: Double = 1) -> Decision {
        precondition(unit > 0 && unit.isFinite, "the unit must be a positive number")
        let none = Decision(threshold: 0, unit: unit, masks: false, effectiveness: 0, logContrast: 0)
        guard totals.count >= 2 else { return none }
        let perUnit = 1 / unit
        var lo = Double.infinity, hi = -Double.infinity
        for t in totals {
            let v = log1p(Double(max(0, t)) * perUnit)
            lo = min(lo, v); hi = max(hi, v)
        }
        guard hi > lo else { return none }
        let nb = histogramBins
        let width = (hi - lo) / Double(nb)
        var count = [Double](repeating: 0, count: nb)
        var sum = [Double](repeating: 0, count: nb)
        var sumSq = 0.0, total = 0.0
        for t in totals {
            let v = log1p(Double(max(0, t)) * perUnit)
            let b = min(nb - 1, max(0, Int((v - lo) / width)))
            count[b] += 1; sum[b] += v; sumSq += v * v; total += v
        }
        let n = Double(totals.count)
        let mean = total / n
        let variance = max(0, sumSq / n - mean * mean)
        guard variance > 0 else { return none }

        // Between-class variance for splits after bin k (class 0 = bins 0...k).
        var best = -1.0, firstBest = -1, lastBest = -1
        var c0 = 0.0, s0 = 0.0
        var between = [Double](repeating: 0, count: nb - 1)
        for k in 0..<(nb - 1) {
            c0 += count[k]; s0 += sum[k]
            let c1 = n - c0
            guard c0 > 0, c1 > 0 else { between[k] = -1; continue }
            let m0 = s0 / c0, m1 = (total - s0) / c1
            let w0 = c0 / n, w1 = c1 / n
            between[k] = w0 * w1 * (m1 - m0) * (m1 - m0)
        }
        for k in 0..<(nb - 1) where between[k] >= 0 {
            if between[k] > best * (1 + 1e-12) { best = between[k]; firstBest = k; lastBest = k }
            else if between[k] >= best * (1 - 1e-12) { lastBest = k }
        }
        guard firstBest >= 0 else { return none }
        // Class means at the chosen split (same for every tied k: the tie means empty bins).
        var cc = 0.0, ss = 0.0
        for k in 0...firstBest { cc += count[k]; ss += sum[k] }
        let contrast = (total - ss) / (n - cc) - ss / cc
        let eta = best / variance
        // Middle of the tied range of split points (upper edges of bins firstBest...lastBest).
        let split = lo + width * (Double(firstBest + lastBest) / 2 + 1)
        guard eta >= minimumEffectiveness, contrast >= minimumLogContrast else {
            return Decision(threshold: 0, unit: unit, masks: false, effectiveness: eta, logContrast: contrast)
        }
        return Decision(threshold: unit * expm1(split), unit: unit, masks: true, effectiveness: eta, logContrast: contrast)
    }

    /// Each pixel's median of `values` over the pixels with data (`hasData`) within `radius`
    /// rows and columns of it, the box clipped at the image's edges (the mean of the middle
    /// two for an even count); 0 for a pixel with no data around it. `values` and `hasData`
    /// are row major (height, width), one per pixel. A median rather than a mean keeps a
    /// boundary where it is: a margin pixel beside a painting has fewer than half of its box
    /// on the painting, a painting's edge pixel more than half (its corners less).
    public static func neighbourhoodMedians(_ values: [Float], hasData: [Bool], width: Int, radius: Int) -> [Float] {
        precondition(width > 0 && values.count % width == 0 && hasData.count == values.count && radius >= 0,
                     "values and hasData hold one entry per pixel of an image \(width) wide")
        let height = values.count / width
        var medians = [Float](repeating: 0, count: values.count)
        var box: [Float] = []
        box.reserveCapacity((2 * radius + 1) * (2 * radius + 1))
        for y in 0..<height {
            for x in 0..<width {
                box.removeAll(keepingCapacity: true)
                for yy in max(0, y - radius)..<min(height, y + radius + 1) {
                    for xx in max(0, x - radius)..<min(width, x + radius + 1) where hasData[yy * width + xx] {
                        box.append(values[yy * width + xx])
                    }
                }
                guard !box.isEmpty else { continue }
                box.sort()
                let mid = box.count / 2
                medians[y * width + x] = box.count % 2 == 1 ? box[mid] : (box[mid - 1] + box[mid]) / 2
            }
        }
        return medians
    }

    /// Kuwahara's filter: each pixel's mean of `values` over the most uniform (the least
    /// variance) of the four (radius + 1) x (radius + 1) boxes that have the pixel in a
    /// corner, over the pixels with data (`hasData`); near the image's edges only the boxes
    /// that fit in it; 0 for a pixel with no data in them. Beside an edge at least one box
    /// lies wholly on the pixel's side, and a box across the edge is the least uniform. Row
    /// major (height, width); summed-area tables in Double, O(pixels) whatever the radius.
    public static func uniformQuadrantMeans(_ values: [Float], hasData: [Bool], width: Int, radius: Int) -> [Float] {
        precondition(width > 0 && values.count % width == 0 && hasData.count == values.count && radius >= 0,
                     "values and hasData hold one entry per pixel of an image \(width) wide")
        let height = values.count / width, stride = width + 1
        // Inclusive prefix sums of count, sum and sum of squares: entry (y + 1, x + 1).
        var n = [Double](repeating: 0, count: (height + 1) * stride), s1 = n, s2 = n
        for y in 0..<height {
            var rn = 0.0, r1 = 0.0, r2 = 0.0
            for x in 0..<width {
                if hasData[y * width + x] { let v = Double(values[y * width + x]); rn += 1; r1 += v; r2 += v * v }
                let i = (y + 1) * stride + x + 1, above = y * stride + x + 1
                n[i] = n[above] + rn; s1[i] = s1[above] + r1; s2[i] = s2[above] + r2
            }
        }
        // The spans of radius + 1 that end or start at i and fit in 0..<size (the clipped
        // span when neither does): a clipped box is uniform by having fewer pixels.
        func spans(_ i: Int, _ size: Int) -> [(Int, Int)] {
            let fitting = [(i - radius, i + 1), (i, i + radius + 1)].filter { $0.0 >= 0 && $0.1 <= size }
            return fitting.isEmpty ? [(max(0, i - radius), min(size, i + radius + 1))] : fitting
        }
        func box(_ t: [Double], _ y0: Int, _ y1: Int, _ x0: Int, _ x1: Int) -> Double {
            t[y1 * stride + x1] - t[y0 * stride + x1] - t[y1 * stride + x0] + t[y0 * stride + x0]
        }
        var means = [Float](repeating: 0, count: values.count)
        for y in 0..<height {
            for x in 0..<width {
                var best = Double.infinity, mean = 0.0
                for (y0, y1) in spans(y, height) {
                    for (x0, x1) in spans(x, width) {
                        let c = box(n, y0, y1, x0, x1)
                        guard c > 0 else { continue }
                        let m = box(s1, y0, y1, x0, x1) / c
                        let v = box(s2, y0, y1, x0, x1) / c - m * m
                        if v < best { best = v; mean = m }
                    }
                }
                if best.isFinite { means[y * width + x] = Float(mean) }
            }
        }
        return means
    }

    /// What the threshold reads for counts with read noise (rule step 0), one per pixel,
    /// row major: the smaller of the median of the signed totals (`neighbourhoodMedians`)
    /// and Kuwahara's mean (`uniformQuadrantMeans`) within `radius`. The median holds
    /// against noise but, beside a painting, takes a margin pixel's box's upper values
    /// (10 of its 25 on the painting); the most uniform quadrant lies on the margin.
    public static func readNoiseLevels(signedTotals: [Float], hasData: [Bool], width: Int, radius: Int) -> [Float] {
        let medians = neighbourhoodMedians(signedTotals, hasData: hasData, width: width, radius: radius)
        let quadrants = uniformQuadrantMeans(signedTotals, hasData: hasData, width: width, radius: radius)
        return zip(medians, quadrants).map { min($0, $1) }
    }

    /// For counts with read noise whose background the rule found: whether each pixel is
    /// signal, one per pixel, row major. Those with data whose level (`readNoiseLevels`)
    /// reaches `threshold`, less every group of such pixels (8-connected) smaller than the
    /// box the levels are measured over, (2 radius + 1)^2: the noise's tail, which passes
    /// the threshold in a pixel here and there of an empty margin (31 of 11,520 in a framed
    /// painting with 2 counts of read noise on 1,024 channels) and would take a cluster of
    /// its own. A material is a larger group, or touches one.
    public static func readNoiseSignal(levels: [Float], hasData: [Bool], width: Int, radius: Int, threshold: Double) -> [Bool] {
        precondition(width > 0 && levels.count % width == 0 && hasData.count == levels.count && radius >= 0,
                     "levels and hasData hold one entry per pixel of an image \(width) wide")
        let height = levels.count / width, smallest = (2 * radius + 1) * (2 * radius + 1)
        var signal = levels.indices.map { hasData[$0] && Double(levels[$0]) >= threshold }
        var seen = [Bool](repeating: false, count: levels.count)
        var group: [Int] = [], stack: [Int] = []
        for start in signal.indices where signal[start] && !seen[start] {
            group.removeAll(keepingCapacity: true)
            stack.append(start); seen[start] = true
            while let p = stack.popLast() {
                group.append(p)
                let y = p / width, x = p % width
                for yy in max(0, y - 1)...min(height - 1, y + 1) {
                    for xx in max(0, x - 1)...min(width - 1, x + 1) {
                        let q = yy * width + xx
                        if signal[q] && !seen[q] { seen[q] = true; stack.append(q) }
                    }
                }
            }
            if group.count < smallest { for p in group { signal[p] = false } }
        }
        return signal
    }

    /// The threshold of `decide(totals:)`: total counts below it are background; 0 when the
    /// totals show no clear background.
    public static func automatic(totals: [Float], unit: Double = 1) -> Double { decide(totals: totals, unit: unit).threshold }
}
