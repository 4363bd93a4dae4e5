import Foundation

/// A fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice in CubeSeg (subsamples, initial weights, dropout masks, k-means++
/// seeding, synthetic cubes) draws from one of these, so the same seed gives the same run.
/// Independent streams for different purposes come from `init(seed:stream:)`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed`; `stream` selects an independent sequence for the same seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var sm = seed &+ stream &* 0xD1B5_4A32_D192_ED03
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inlinable
    public mutating func next() -> UInt64 { nextRaw() }

    @usableFromInline
    mutating func nextRaw() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @usableFromInline
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 bits of precision.
    @inlinable
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    @inlinable
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// A standard normal deviate (Box-Muller; one of the pair is discarded for simplicity).
    @inlinable
    public mutating func nextGaussian() -> Double {
        var u = nextDouble()
        while u <= .leastNormalMagnitude { u = nextDouble() }
        let v = nextDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// Uniform integer in 0..<n (n > 0), without modulo bias.
    @inlinable
    public mutating func nextInt(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
}
