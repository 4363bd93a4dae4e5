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

        enum CodingKeys: String, CodingKey {
            case threshold, unit, masks, effectiveness, logContrast = "log_contrast"
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

    /// The threshold of `decide(totals:)`: total counts below it are background; 0 when the
    /// totals show no clear background.
    public static func automatic(totals: [Float], unit: Double = 1) -> Double { decide(totals: totals, unit: unit).threshold }
}
