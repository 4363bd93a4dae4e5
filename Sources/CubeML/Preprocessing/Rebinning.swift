/// Bin edges for rebinning a spectrum by summing adjacent channels.
///
/// Unlike the paper's code (which divides with floor and drops the tail: 3000 -> 1024 keeps
/// channels 0..<2048 only), every channel lands in exactly one bin.
public enum Rebinning {
    /// `bins + 1` increasing edges over `0...channels`: bin `i` sums channels
    /// `edges[i]..<edges[i+1]`. The first edge is 0, the last is `channels`, and bin sizes
    /// differ by at most 1 (e.g. 3000 channels into 1024 bins: sizes 2 and 3, spread evenly
    /// as `edges[i] = floor(i * channels / bins)`).
    ///
    /// When `bins` is nil or `bins >= channels`, the identity edges `0, 1, ..., channels`
    /// (one channel per bin) are returned.
    ///
    /// - Precondition: `channels >= 1` and `bins` is nil or `>= 1`.
    public static func edges(channels: Int, bins: Int?) -> [Int] {
        precondition(channels >= 1, "rebinning needs at least one channel")
        guard let bins, bins < channels else { return Array(0...channels) }
        precondition(bins >= 1, "rebinning needs at least one bin")
        return (0...bins).map { i in i * channels / bins }
    }

    /// Non-optional convenience for `edges(channels:bins:)`.
    public static func edges(channels: Int, bins: Int) -> [Int] {
        edges(channels: channels, bins: Optional(bins))
    }
}
