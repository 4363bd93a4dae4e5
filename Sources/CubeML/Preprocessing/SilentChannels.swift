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

    /// The ratio of each of `cube`'s `channels` (`channels.count` values; NaN where a
    /// channel's pairs differ by nothing: a constant channel, which is kept). Values that
    /// are not finite leave their pairs out.
    public static func ratios(_ cube: Datacube, channels: Range<Int>) throws -> [Double] {
        let n = channels.count, c = cube.channels, w = cube.width
        var count = [Double](repeating: 0, count: n), sum = count, sumSquares = count
        var pairs = count, differences = count
        let rows = min(cube.height, CubeStatistics.levelSampleRows)
        for r in 0..<rows {
            let y = r * cube.height / rows
            let row = try cube.readRows(y..<(y + 1))
            for x in 0..<w {
                for ch in channels {
                    let v = row[x * c + ch]
                    guard v.isFinite else { continue }
                    let i = ch - channels.lowerBound, d = Double(v)
                    count[i] += 1; sum[i] += d; sumSquares[i] += d * d
                    guard x + 1 < w else { continue }
                    let b = row[(x + 1) * c + ch]
                    guard b.isFinite else { continue }
                    pairs[i] += 1; differences[i] += (d - Double(b)) * (d - Double(b))
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
