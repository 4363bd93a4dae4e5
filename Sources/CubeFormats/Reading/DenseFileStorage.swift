import Foundation

/// A cube stored densely in one file from `offset` on: a 3-D array whose stored dimensions
/// (outermost first) hold the cube axes in `order`, each element `type` in `byteOrder`.
/// Serves NumPy, raw, ENVI and RPL files, and the plain arrays of FITS and HDF5 files. `readRows` writes row-major (rows, width,
/// channels) Float32 and only uses `pread`, so one storage serves several threads.
///
/// - Native-order Float32 pixel-major (BIP) data is read straight into the destination;
///   other pixel-major data in L2-sized pieces (`scratchBytes`) converted four elements at a
///   time (`ElementConversion`).
/// - Channel-major files, BSQ (`.cyx`) and BIL (`.ycx`), go through `ChannelMajorRows`: tiles
///   of `tileChannels` (16) channels x as many pixels as fit `scratchBytes` (512 KiB, in L2)
///   are read with one `pread` per channel run (one per tile for BIL, whose runs are
///   adjacent), then converted and transposed in one pass by `ChannelTranspose` (4 x 4
///   `SIMD4<Float>` register transposes, byte swap and integer conversion fused into the
///   loads), writing each pixel's 64-byte destination line in full; the first tile ends on a
///   line boundary when channels * 4 is a multiple of 64. Blocks of at least 4 MiB of output
///   are split between `workers` (2) threads, each with its own staging.
/// - Other orders: groups of outermost-dimension slabs that fit `scratchBytes`, read in the
///   longest contiguous runs the box allows, converted, then moved by `scatter`. Worst case:
///   when y is the innermost stored dimension (Fortran-order (H, W, C)) each run is one
///   column segment, so reads are many and short.
struct DenseFileStorage: DatacubeStorage {
    let file: BinaryFile
    let offset: Int
    let type: CubeDataType
    let byteOrder: ByteOrder
    /// Sizes of the stored dimensions, outermost first.
    let dims: [Int]
    /// For each stored dimension, the cube axis it holds (0 = y, 1 = x, 2 = c).
    let axes: [Int]
    /// Staging budget per thread (L2-sized).
    var scratchBytes = 512 << 10
    /// Channels per transpose tile on the channel-major (BSQ, BIL) path: 16 Float32 channels
    /// fill one 64-byte destination line per pixel.
    var tileChannels = 16
    /// Threads sharing one channel-major `readRows` call of at least `parallelElements` values.
    var workers = min(2, ProcessInfo.processInfo.activeProcessorCount)
    var parallelElements = 1 << 20
    /// `pread` has no shared file position: threads read in parallel.
    var readsConcurrently: Bool { true }

    init(file: BinaryFile, offset: Int, type: CubeDataType, byteOrder: ByteOrder,
         height: Int, width: Int, channels: Int, order: AxisOrder) {
        self.file = file
        self.offset = offset
        self.type = type
        self.byteOrder = byteOrder
        axes = order.cubeAxes
        let cube = [height, width, channels]
        dims = axes.map { cube[$0] }
    }

    func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let es = type.byteSize
        let cubeDst = [width * channels, channels, 1]                        // destination stride per cube axis
        let t = axes.map { cubeDst[$0] }                                      // destination stride per stored dim
        let lo = axes.map { $0 == 0 ? rows.lowerBound : 0 }                   // box start per stored dim
        let counts = (0..<3).map { axes[$0] == 0 ? rows.count : dims[$0] }    // box size per stored dim
        let dst = buffer.baseAddress!
        let n1 = dims[1], n2 = dims[2]
        let wholeInner = counts[2] == n2, wholeMiddle = counts[1] == n1
        let destinationOrdered = t[2] == 1 && t[1] == n2 && t[0] == n1 * n2 && wholeInner && wholeMiddle
        let native32 = type == .float32 && byteOrder == .native

        // Fast path: native float32 already in destination order.
        if native32 && destinationOrdered {
            try file.read(into: dst, count: counts[0] * n1 * n2 * 4, at: offset + lo[0] * n1 * n2 * 4)
            return
        }
        if axes == [2, 0, 1] || axes == [0, 2, 1] {
            try ElementLoaders.with(type, byteOrder, ChannelMajorRows(storage: self, rows: rows, width: width, channels: channels,
                                                                      destination: dst))
            return
        }
        func fileElement(_ i0: Int, _ i1: Int) -> Int { ((lo[0] + i0) * n1 + lo[1] + i1) * n2 + lo[2] }

        let slab = counts[1] * counts[2]                                      // box elements per outer index
        let groupSize = max(1, min(counts[0], (scratchBytes / 4) / max(1, slab)))
        let staging: UnsafeMutablePointer<Float>? = destinationOrdered ? nil : .allocate(capacity: groupSize * slab)
        let raw: UnsafeMutableRawPointer = native32 ? UnsafeMutableRawPointer(staging!)
            : .allocate(byteCount: groupSize * slab * es, alignment: 16)
        defer {
            staging?.deallocate()
            if !native32 { raw.deallocate() }
        }
        var g0 = 0
        while g0 < counts[0] {
            let g = min(groupSize, counts[0] - g0)
            if wholeInner && wholeMiddle {
                try file.read(into: raw, count: g * slab * es, at: offset + fileElement(g0, 0) * es)
            } else if wholeInner {
                for i in 0..<g { try file.read(into: raw + i * slab * es, count: slab * es, at: offset + fileElement(g0 + i, 0) * es) }
            } else {
                for i in 0..<g {
                    for i1 in 0..<counts[1] {
                        try file.read(into: raw + (i * slab + i1 * counts[2]) * es, count: counts[2] * es,
                                      at: offset + fileElement(g0 + i, i1) * es)
                    }
                }
            }
            if destinationOrdered {
                ElementConversion.convert(raw, count: g * slab, type: type, byteOrder: byteOrder, to: dst + g0 * slab, stride: 1)
            } else {
                if !native32 { ElementConversion.convert(raw, count: g * slab, type: type, byteOrder: byteOrder, to: staging!, stride: 1) }
                Self.scatter(staging!, g: g, c1: counts[1], c2: counts[2], t: t, into: dst + g0 * t[0])
            }
            g0 += g
        }
    }

    /// Moves a dense (g, c1, c2) Float32 block into `base[i * t0 + i1 * t1 + k * t2]`. One of the
    /// strides is 1 (the channel dimension). A channel dimension outside the innermost one
    /// goes through `ChannelTranspose` (4 x 4 register transposes, tiles of 16 channels).
    static func scatter(_ s: UnsafeMutablePointer<Float>, g: Int, c1: Int, c2: Int, t: [Int], into base: UnsafeMutablePointer<Float>) {
        let t0 = t[0], t1 = t[1], t2 = t[2]
        let source = UnsafeRawPointer(s)
        if t2 == 1 {
            for i in 0..<g {
                for i1 in 0..<c1 { (base + i * t0 + i1 * t1).update(from: s + (i * c1 + i1) * c2, count: c2) }
            }
        } else if t0 == 1 && t1 == c2 * t2 {
            // Channels outermost, (i1, k) pixels evenly spaced: one run of c1 * c2 pixels per channel.
            ChannelTranspose.tiled(Float32Native.self, from: source, elementSize: 4, channels: g, pixels: c1 * c2,
                                   channelStride: c1 * c2, into: base, pixelStride: t2)
        } else if t0 == 1 {
            for i1 in 0..<c1 {
                ChannelTranspose.tiled(Float32Native.self, from: source + i1 * c2 * 4, elementSize: 4, channels: g, pixels: c2,
                                       channelStride: c1 * c2, into: base + i1 * t1, pixelStride: t2)
            }
        } else if t1 == 1 {
            for i in 0..<g {
                ChannelTranspose.tiled(Float32Native.self, from: source + i * c1 * c2 * 4, elementSize: 4, channels: c1, pixels: c2,
                                       channelStride: c2, into: base + i * t0, pixelStride: t2)
            }
        } else {
            for i in 0..<g {
                for i1 in 0..<c1 {
                    for k in 0..<c2 { base[i * t0 + i1 * t1 + k * t2] = s[(i * c1 + i1) * c2 + k] }
                }
            }
        }
    }
}
