/// The peak search behind `SpectrumPeaks.find`. All arrays are indexed by channel; energies in keV.
///
/// 1. Smooth with a binomial (near-Gaussian) kernel whose sigma is half a 1 keV line's
///    (`DetectorResolution`), so peaks lose little height and the noise shrinks by `sqrt(Σw²)`.
///    Spectra coarser than about 50 eV per channel are not smoothed.
/// 2. Background: SNIP (Ryan et al. 1988, Nucl. Instrum. Methods B 34, 396) with fourth-order
///    clipping (Morháč et al. 1997, Nucl. Instrum. Methods A 401, 113) on the square root of the
///    smoothed spectrum, clipping window 1 ... 0.5 keV in channels (at most 128 channels).
/// 3. Noise: Poisson, sqrt(level), for integer counts; for other non-negative data a gain g fitted
///    from channel-to-channel differences (variance = g · level, so scaled or averaged counts
///    work); for data with negative values a constant (MAD of differences). The net signal is
///    lowered by the median of (smoothed - background) / noise, SNIP's bias on noisy data.
/// 4. Peaks: local maxima of the smoothed spectrum (flat tops at their middle), with prominence
///    min(topographic prominence, net height), kept when it exceeds 5 noise standard deviations
///    and 2 % of the largest such prominence.
enum PeakDetector {
    static let significance = 5.0
    static let relativeFloor = 0.02
    static let backgroundWidth = 0.5
    static let maxBackgroundIterations = 128
    static let maxKernelOrder = 64
    /// Median of a chi-square variable with one degree of freedom.
    static let chiSquare1Median = 0.454936

    static func detect(energy e: [Double], values v: [Double], maxPeaks: Int) -> [SpectrumPeak] {
        let n = v.count
        guard n >= 3, n == e.count, maxPeaks > 0 else { return [] }
        var maxAbs = 0.0, minValue = Double.infinity, isCounts = true
        for value in v {
            maxAbs = max(maxAbs, abs(value))
            minValue = min(minValue, value)
            if isCounts, value < 0 || value != value.rounded() { isCounts = false }
        }
        guard maxAbs > 0 else { return [] }
        let step = (e[n - 1] - e[0]) / Double(n - 1)

        let kernel = smoothingKernel(channelStep: step)
        let s = smooth(v, kernel: kernel)
        let noiseFactor = kernel.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let iterations = min(max(1, Int((backgroundWidth / step).rounded(.up))), maxBackgroundIterations, max(1, n / 4))
        let background = snipBackground(s, iterations: iterations)
        let sigma = noise(values: v, smoothed: s, isCounts: isCounts, isNonNegative: minValue >= 0,
                          factor: noiseFactor, floor: 1e-12 * maxAbs)

        var z = (0..<n).map { (s[$0] - background[$0]) / sigma[$0] }
        let bias = max(0, median(&z))
        let net = (0..<n).map { s[$0] - background[$0] - bias * sigma[$0] }

        let left = baseMinima(s, indices: Array(0..<n))
        let right = baseMinima(s, indices: Array((0..<n).reversed()))
        var candidates: [(index: Int, prominence: Double)] = []
        var i = 1
        while i < n - 1 {
            guard s[i - 1] < s[i] else { i += 1; continue }
            var j = i
            while j + 1 < n, s[j + 1] == s[i] { j += 1 }
            if j + 1 < n, s[j + 1] < s[i] {
                let c = (i + j) / 2
                let prominence = min(s[c] - max(left[i], right[j]), net[c])
                if prominence > significance * sigma[c] { candidates.append((c, prominence)) }
            }
            i = j + 1
        }
        guard let largest = candidates.map(\.prominence).max() else { return [] }
        let kept = candidates
            .filter { $0.prominence >= relativeFloor * largest }
            .sorted { $0.prominence != $1.prominence ? $0.prominence > $1.prominence : $0.index < $1.index }
            .prefix(maxPeaks)
        return kept.map { candidate in
            let c = candidate.index
            var offset = 0.0
            let curvature = s[c - 1] - 2 * s[c] + s[c + 1]
            if curvature < 0 { offset = min(0.5, max(-0.5, 0.5 * (s[c - 1] - s[c + 1]) / curvature)) }
            let x = offset >= 0 ? e[c] + offset * (e[c + 1] - e[c]) : e[c] + offset * (e[c] - e[c - 1])
            return SpectrumPeak(x: x, height: s[c], prominence: candidate.prominence)
        }
    }

    /// Binomial weights of order 2k (variance k/2 channels²) approximating a Gaussian whose sigma
    /// is half that of a 1 keV line; `[1]` when that sigma is below half a channel.
    static func smoothingKernel(channelStep: Double) -> [Double] {
        let sigma = 0.5 * DetectorResolution.fwhm(at: 1) / 2.3548 / channelStep
        guard sigma >= 0.5 else { return [1] }
        let order = min(maxKernelOrder, max(1, Int((2 * sigma * sigma).rounded())))
        var weights = [1.0]
        for _ in 0..<(2 * order) {
            var next = [Double](repeating: 0, count: weights.count + 1)
            for (k, w) in weights.enumerated() {
                next[k] += 0.5 * w
                next[k + 1] += 0.5 * w
            }
            weights = next
        }
        return weights
    }

    /// Convolution with a symmetric odd-length kernel; channels past either end repeat the end value.
    static func smooth(_ v: [Double], kernel: [Double]) -> [Double] {
        let half = kernel.count / 2
        guard half > 0 else { return v }
        let n = v.count
        return (0..<n).map { i in
            var sum = 0.0
            for (k, w) in kernel.enumerated() { sum += w * v[min(max(i + k - half, 0), n - 1)] }
            return sum
        }
    }

    /// SNIP background of `s` on a square-root scale, windows 1 ... `iterations` channels, with
    /// Morháč's fourth-order clipping (as ROOT's TSpectrum::Background, kBackOrder4): a channel is
    /// clipped to the larger of the two-point mean and a four-point estimate exact for cubics, so a
    /// curved continuum (the rise at low energy) is not cut into.
    static func snipBackground(_ s: [Double], iterations: Int) -> [Double] {
        let n = s.count
        let offset = max(0, -(s.min() ?? 0))
        var current = s.map { ($0 + offset).squareRoot() }
        var next = current
        func at(_ i: Int) -> Double { current[min(max(i, 0), n - 1)] }
        for p in 1...max(1, iterations) {
            let h = p / 2
            for i in 0..<n {
                let mean = 0.5 * (at(i - p) + at(i + p))
                let cubic = (4 * (at(i - h) + at(i + h)) - at(i - 2 * h) - at(i + 2 * h)) / 6
                next[i] = min(current[i], max(mean, cubic))
            }
            swap(&current, &next)
        }
        return current.map { $0 * $0 - offset }
    }

    /// Standard deviation of the smoothed spectrum in each channel (never below `floor`).
    static func noise(values v: [Double], smoothed s: [Double], isCounts: Bool, isNonNegative: Bool,
                      factor: Double, floor: Double) -> [Double] {
        let n = v.count
        if isNonNegative {
            var gain = 1.0
            if !isCounts {
                var ratios: [Double] = []
                ratios.reserveCapacity(n)
                for i in 1..<n where s[i] > 0 {
                    let d = v[i] - v[i - 1]
                    ratios.append(d * d / (2 * s[i]))
                }
                gain = ratios.isEmpty ? 0 : median(&ratios) / chiSquare1Median
            }
            return s.map { max(factor * (gain * max($0, gain)).squareRoot(), floor) }
        }
        var differences = (1..<n).map { abs(v[$0] - v[$0 - 1]) }
        let sd = 1.4826 * median(&differences) / 2.0.squareRoot()
        return [Double](repeating: max(factor * sd, floor), count: n)
    }

    /// For each channel, visited in `indices` order, the minimum of `s` between it and the nearest
    /// earlier-visited channel that is strictly higher (or the start): a peak's base on that side
    /// as in scipy.signal.peak_prominences. +infinity when the previous channel is higher. O(n).
    static func baseMinima(_ s: [Double], indices: [Int]) -> [Double] {
        var result = [Double](repeating: .infinity, count: s.count)
        var stack: [(index: Int, minimum: Double)] = []
        for i in indices {
            var lowest = Double.infinity
            while let top = stack.last, s[top.index] <= s[i] {
                lowest = min(lowest, top.minimum)
                stack.removeLast()
            }
            result[i] = lowest
            stack.append((i, min(lowest, s[i])))
        }
        return result
    }

    /// Median (sorts `values` in place); 0 for an empty array.
    static func median(_ values: inout [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        values.sort()
        let m = values.count / 2
        return values.count % 2 == 1 ? values[m] : 0.5 * (values[m - 1] + values[m])
    }
}
