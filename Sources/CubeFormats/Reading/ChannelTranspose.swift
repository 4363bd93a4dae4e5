/// Moves channel-major stored elements into pixel-major Float32, converting on the way.
///
/// Source: `channels` runs of `pixels` stored elements, run `k` starting `channelStride`
/// elements after run `k - 1` (the layout of BSQ planes and BIL lines).
/// Destination: `destination[p * pixelStride + k]` = element `p` of run `k`.
/// Each group of 4 pixels x 4 channels is loaded as four `SIMD4<Float>` (one per channel),
/// transposed in registers and stored as four `SIMD4<Float>` (one per pixel); the channels
/// of a pixel are all written before the next pixel, so a destination cache line is written
/// in full while it is hot when `channels` is a multiple of 16 (one 64-byte line). Callers
/// keep `channels` small (a tile of 16-32) so the source runs stay in L1/L2.
enum ChannelTranspose {
    @inline(__always)
    static func run<L: ElementLoader>(_: L.Type, from source: UnsafeRawPointer, channels: Int, pixels: Int,
                                      channelStride: Int, into destination: UnsafeMutablePointer<Float>, pixelStride: Int) {
        // Wrapping arithmetic inside: every index is below channels * channelStride + pixels,
        // the size of a buffer the caller allocated.
        let out = UnsafeMutableRawPointer(destination)
        let rowBytes = pixelStride &* 4
        let quadChannels = channels & ~3
        var p = 0
        while p + 4 <= pixels {
            let o = out + p &* rowBytes
            var k = 0
            while k < quadChannels {
                let i = k &* channelStride &+ p
                let a = L.load4(source, i)
                let b = L.load4(source, i &+ channelStride)
                let c = L.load4(source, i &+ 2 &* channelStride)
                let d = L.load4(source, i &+ 3 &* channelStride)
                let ab01 = SIMD4(lowHalf: a.lowHalf, highHalf: b.lowHalf), cd01 = SIMD4(lowHalf: c.lowHalf, highHalf: d.lowHalf)
                let ab23 = SIMD4(lowHalf: a.highHalf, highHalf: b.highHalf), cd23 = SIMD4(lowHalf: c.highHalf, highHalf: d.highHalf)
                let ok = o + 4 &* k
                ok.storeBytes(of: SIMD4(lowHalf: ab01.evenHalf, highHalf: cd01.evenHalf), as: SIMD4<Float>.self)
                (ok + rowBytes).storeBytes(of: SIMD4(lowHalf: ab01.oddHalf, highHalf: cd01.oddHalf), as: SIMD4<Float>.self)
                (ok + 2 &* rowBytes).storeBytes(of: SIMD4(lowHalf: ab23.evenHalf, highHalf: cd23.evenHalf), as: SIMD4<Float>.self)
                (ok + 3 &* rowBytes).storeBytes(of: SIMD4(lowHalf: ab23.oddHalf, highHalf: cd23.oddHalf), as: SIMD4<Float>.self)
                k &+= 4
            }
            while k < channels {
                let v = L.load4(source, k * channelStride + p)
                for j in 0..<4 { destination[(p + j) * pixelStride + k] = v[j] }
                k += 1
            }
            p += 4
        }
        while p < pixels {
            for k in 0..<channels { destination[p * pixelStride + k] = L.load(source, k * channelStride + p) }
            p += 1
        }
    }

    /// `run` in tiles of 16 channels (one 64-byte destination line per pixel), for sources
    /// with many channels.
    static func tiled<L: ElementLoader>(_: L.Type, from source: UnsafeRawPointer, elementSize: Int, channels: Int, pixels: Int,
                                        channelStride: Int, into destination: UnsafeMutablePointer<Float>, pixelStride: Int) {
        var c0 = 0
        while c0 < channels {
            let n = min(16, channels - c0)
            run(L.self, from: source + c0 * channelStride * elementSize, channels: n, pixels: pixels, channelStride: channelStride,
                into: destination + c0, pixelStride: pixelStride)
            c0 += n
        }
    }
}
