/// Elementwise kernels shared by the layers: a vectorisable `exp`, and the random draws of
/// the dropout masks and Gaussian noise. Internal to CubeML.
enum NNMath {
    /// e^x in single precision, written so that LLVM vectorises loops calling it (no libm
    /// call, no trapping conversion). Cephes-style: x = n ln2 + f with n = round(x log2 e),
    /// degree-6 polynomial for e^f on |f| <= ln2/2, 2^n assembled in the exponent bits.
    /// Relative error <= 2e-7 for x in [-87.3, 88.3]; inputs outside are clamped there
    /// (e^-87.3 ~ 1.2e-38 is the smallest normal result, e^88.3 ~ 2.2e38 the largest).
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = min(max(value, -87.3), 88.3)
        // 1.5 * 2^23: adding it rounds x log2e to an integer held in the low mantissa bits.
        let magic: Float = 12_582_912
        let r = x * 1.442_695_04 + magic
        let n = r - magic
        var f = x - n * 0.693_359_375
        f = f - n * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * f + 1.398_199_95e-3
        p = p * f + 8.333_451_9e-3
        p = p * f + 4.166_579_6e-2
        p = p * f + 1.666_666_55e-1
        p = p * f + 5.000_000_1e-1
        let y = p * f * f + f + 1
        let bits = (r.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return y * Float(bitPattern: bits)
    }

    /// Fills `keep[0..<count]` with 1 (kept, probability 1 - p) or 0 (dropped, probability
    /// p), four 16-bit draws per 64-bit random word (p is resolved to 1/65536).
    static func fillKeepMask(_ keep: UnsafeMutablePointer<Float>, count: Int, dropProbability p: Double,
                             generator: inout SeededGenerator) {
        let threshold = UInt64((p * 65_536).rounded())
        // A local copy keeps the generator's state in registers (stores to `keep` could
        // otherwise alias it, as far as the optimiser knows).
        var g = generator
        defer { generator = g }
        var i = 0
        while i + 4 <= count {
            let word = g.next()
            keep[i] = (word & 0xFFFF) >= threshold ? 1 : 0
            keep[i + 1] = ((word >> 16) & 0xFFFF) >= threshold ? 1 : 0
            keep[i + 2] = ((word >> 32) & 0xFFFF) >= threshold ? 1 : 0
            keep[i + 3] = (word >> 48) >= threshold ? 1 : 0
            i += 4
        }
        if i < count {
            var word = g.next()
            while i < count {
                keep[i] = (word & 0xFFFF) >= threshold ? 1 : 0
                word >>= 16
                i += 1
            }
        }
    }

    /// Fills `out[0..<count]` with standard normal deviates.
    static func fillGaussian(_ out: UnsafeMutablePointer<Float>, count: Int, generator: inout SeededGenerator) {
        var g = generator
        defer { generator = g }
        for i in 0..<count { out[i] = Float(g.nextGaussian()) }
    }
}
