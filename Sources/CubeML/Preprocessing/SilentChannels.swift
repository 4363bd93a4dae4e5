import CubeFormats
import Foundation

/// Channels that carry no image: whose values differ from a pixel to its neighbour as much
/// as from a pixel to any other. Airborne imaging spectrometers' bands where water vapour
/// absorbs the sunlight are such channels: in reflectance the atmospheric correction
/// divides their noise by a transmission near 0, so they hold values tens to thousands of
/// times larger than any surface's, and one of them sets a spectrum's maximum, which
/// `log_max` divides by. Most products drop them; a cube delivered with them is common.
///
/// Per channel, over the horizontally adjacent pixel pairs of at most
/// `CubeStatistics.levelSampleRows` rows spread over the cube: the variance of the values
/// over half the mean squared difference of the pairs, which is the noise variance when
/// neighbours share their surface. 1 + the channel's spatial signal-to-noise ratio: about 1
/// for a channel of noise, far more for one that shows the scene (airborne scenes' other
/// bands: 3.5-130; Indian Pines as published, its absorption bands already removed: 1.2 for
/// its first band, 1.7-2.0 for four at the edges of absorption, 2.3-42 for the others).
public enum SilentChannels {
    /// A channel is silent when its ratio is below this: its signal variance is below its
    /// noise variance.
    public static let signalThreshold = 2.0
    /// Adjacent pairs needed before any channel is called silent: a ratio from n pairs is
    /// uncertain by about sqrt(2 / n), and a few pixels cannot tell noise from the image.
    public static let minimumPairs = 100

    /// The adjacent pairs `ratios` measures in `cube`: those of its sampled rows.
    public static func pairs(in cube: Datacube) -> Int {
        min(cube.height, CubeStatistics.levelSampleRows) * (cube.width - 1)
    }

    /// A value is left out of its channel's measurement when it stands more than this many
    /// noise deviations above (or below) both of its row neighbours: a spike (a hot pixel, a
    /// cosmic ray, a detector glitch) in one pixel, which no surface makes. One spike of a
    /// few times the cube's largest values inflates a channel's mean squared neighbour
    /// difference as much as its variance and so brings its ratio to about 1: with 1% of
    /// an airborne scene's pixels spiked in 1-3 adjacent channels, 57 of Samson's 156
    /// bands were left out as silent (README, "Channels without spatial signal").
    public static let spikeDeviations = 10.0
    /// Adjacent pairs per channel whose squared differences give the noise deviation the
    /// spike test uses (evenly spaced over the sampled rows).
    static let deviationSample = 1024

    /// The ratio of each of `cube`'s `channels` (`channels.count` values; NaN where a
    /// channel's pairs differ by nothing: a constant channel, which is kept). Values that
    /// are not finite leave their pairs out; so do spikes (`spikeDeviations`).
    public static func ratios(_ cube: Datacube, channels: Range<Int>) throws -> [Double] {
        let n = channels.count, c = cube.channels, w = cube.width
        let rows = min(cube.height, CubeStatistics.levelSampleRows)
        let sampled = (0..<rows).map { $0 * cube.height / rows }
        let limits = try spikeLimits(cube, rows: sampled, channels: channels)
        var count = [Double](repeating: 0, count: n), sum = count, sumSquares = count
        var pairs = count, differences = count
        var kept = [Bool](repeating: false, count: w * n)
        for y in sampled {
            let row = try cube.readRows(y..<(y + 1))
            for x in 0..<w {
                for i in 0..<n {
                    let ch = channels.lowerBound + i, v = row[x * c + ch]
                    kept[x * n + i] = v.isFinite && !isSpike(v, left: x > 0 ? row[(x - 1) * c + ch] : nil,
                                                             right: x + 1 < w ? row[(x + 1) * c + ch] : nil, limit: limits[i])
                }
            }
            for x in 0..<w {
                for i in 0..<n where kept[x * n + i] {
                    let d = Double(row[x * c + channels.lowerBound + i])
                    count[i] += 1; sum[i] += d; sumSquares[i] += d * d
                    guard x + 1 < w, kept[(x + 1) * n + i] else { continue }
                    let b = Double(row[(x + 1) * c + channels.lowerBound + i])
                    pairs[i] += 1; differences[i] += (d - b) * (d - b)
                }
            }
        }
        return (0..<n).map { i in
            guard count[i] > 1, pairs[i] > 0 else { return .nan }
            let mean = sum[i] / count[i]
            let variance = max(0, sumSquares[i] / count[i] - mean * mean)
            let noise = differences[i] / pairs[i] / 2
            return noise > 0 ? variance / noise : .nan
        }
    }

    /// Whether `v` stands more than `limit` above, or below, every finite neighbour it has
    /// (nil: no neighbour there); never with no finite neighbour.
    static func isSpike(_ v: Float, left: Float?, right: Float?, limit: Double) -> Bool {
        guard limit.isFinite else { return false }
        let d = Double(v)
        var above = true, below = true, seen = false
        func compare(_ neighbour: Float?) {
            guard let neighbour, neighbour.isFinite else { return }
            seen = true
            above = above && d - Double(neighbour) > limit
            below = below && Double(neighbour) - d > limit
        }
        compare(left)
        compare(right)
        return seen && (above || below)
    }

    /// Per channel, `spikeDeviations` times its noise deviation, robustly: from the median
    /// squared difference of up to `deviationSample` adjacent pairs of the sampled rows
    /// (a difference of two values with noise sigma has variance 2 sigma^2, and the median
    /// of a chi-square of one degree of freedom is 0.4549). Infinite (no spike test) where
    /// that median is 0, as in whole numbers whose neighbours mostly agree.
    static func spikeLimits(_ cube: Datacube, rows: [Int], channels: Range<Int>) throws -> [Double] {
        let n = channels.count, c = cube.channels, w = cube.width
        let total = rows.count * max(0, w - 1)
        let stride = max(1, total / deviationSample)
        var squares = [[Double]](repeating: [], count: n)
        var t = 0
        for y in rows {
            let row = try cube.readRows(y..<(y + 1))
            for x in 0..<max(0, w - 1) {
                defer { t += 1 }
                guard t % stride == 0 else { continue }
                for i in 0..<n {
                    let a = row[x * c + channels.lowerBound + i], b = row[(x + 1) * c + channels.lowerBound + i]
                    guard a.isFinite, b.isFinite else { continue }
                    squares[i].append(Double(a - b) * Double(a - b))
                }
            }
        }
        return squares.map { s in
            guard !s.isEmpty else { return .infinity }
            let sorted = s.sorted(), median = sorted[sorted.count / 2]
            return median > 0 ? spikeDeviations * (median / (2 * 0.4549364)).squareRoot() : .infinity
        }
    }

    /// The silent channels of `channels` (cube channel indices) whose ratios are `ratios`,
    /// measured over `pairs` adjacent pairs: those below `signalThreshold`, unless they are
    /// half the channels or more (a cube whose image shows nearly nothing, or whose pixels
    /// are not neighbours, keeps every channel), or the pairs are fewer than `minimumPairs`.
    public static func decide(ratios: [Double], channels: Range<Int>, pairs: Int) -> SilentChannelsDecision {
        precondition(ratios.count == channels.count, "one ratio per channel")
        let silent = channels.filter { ratios[$0 - channels.lowerBound] < signalThreshold }
        let measured = ratios.filter { $0.isFinite }.sorted()
        let median = measured.isEmpty ? 0 : measured[measured.count / 2]
        let medianText = String(format: "%.3g", median)
        if pairs < minimumPairs {
            return SilentChannelsDecision(
                channels: [], median: median,
                reason: "every channel kept: \(pairs) pairs of adjacent pixels are too few to tell a channel's noise from the image (\(minimumPairs) needed)")
        }
        if silent.isEmpty {
            return SilentChannelsDecision(
                channels: [], median: median,
                reason: "every channel shows the image: its variance is at least \(signalThreshold) times its neighbour-to-neighbour noise (median \(medianText))")
        }
        if 2 * silent.count >= channels.count {
            return SilentChannelsDecision(
                channels: [], median: median,
                reason: "every channel kept: \(silent.count) of \(channels.count) vary from pixel to pixel less than \(signalThreshold) times their neighbour-to-neighbour noise (median \(medianText)), too many to leave out: the image shows little, or its pixels are not neighbours")
        }
        return SilentChannelsDecision(
            channels: silent, median: median,
            reason: "\(silent.count) of \(channels.count) channels left out (\(SilentChannelsDecision.ranges(silent))): their variance is less than \(signalThreshold) times their neighbour-to-neighbour noise, where the other channels' median is \(medianText): they carry noise, not the image (absorption bands)")
    }
}

/// Which channels were left out as silent (`SilentChannels`), with the evidence, for
/// `report.json` (`decisions.silent_channels`).
public struct SilentChannelsDecision: Sendable, Codable, Equatable {
    /// Cube channel indices left out of every bin, increasing; empty when none.
    public var channels: [Int]
    /// The median over channels of their variance over their neighbour-to-neighbour noise.
    public var median: Double
    public var reason: String

    /// `channels` as "a-b, c, ..." runs of consecutive indices.
    static func ranges(_ channels: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < channels.count {
            var j = i
            while j + 1 < channels.count && channels[j + 1] == channels[j] + 1 { j += 1 }
            parts.append(i == j ? "\(channels[i])" : "\(channels[i])-\(channels[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    enum CodingKeys: String, CodingKey { case channels, median = "median_ratio", reason }
}
