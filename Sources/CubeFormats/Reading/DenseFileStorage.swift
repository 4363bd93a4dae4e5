/// A cube stored densely in one file from `offset` on: a 3-D array whose stored dimensions
/// (outermost first) hold the cube axes in `order`, each element `type` in `byteOrder`.
/// Serves NumPy, raw, ENVI and RPL files.
///
/// `readRows` reads the box (rows, all columns, all channels) with `pread`, in groups of
/// outermost-dimension slabs that fit `scratchBytes`: each group is read in the longest
/// contiguous runs the box allows, converted to Float32 in one contiguous pass, then moved
/// into the pixel-major destination by a cache-blocked transpose (tiles of 16 along the
/// channel dimension). Native-order Float32 pixel-major (BIP) data is read straight into
/// the destination. Worst case: when y is the innermost stored dimension (Fortran-order
/// (H, W, C)) each run is one column segment, so reads are many and short.
struct DenseFileStorage: DatacubeStorage {
    let file: BinaryFile
    let offset: Int
    let type: CubeDataType
    let byteOrder: ByteOrder
    /// Sizes of the stored dimensions, outermost first.
    let dims: [Int]
    /// For each stored dimension, the cube axis it holds (0 = y, 1 = x, 2 = c).
    let axes: [Int]
    var scratchBytes = 8 << 20
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
    /// strides is 1 (the channel dimension); tiles of 16 along it keep writes on few cache lines.
    static func scatter(_ s: UnsafeMutablePointer<Float>, g: Int, c1: Int, c2: Int, t: [Int], into base: UnsafeMutablePointer<Float>) {
        let t0 = t[0], t1 = t[1], t2 = t[2]
        let tile = 16
        if t2 == 1 {
            for i in 0..<g {
                for i1 in 0..<c1 { (base + i * t0 + i1 * t1).update(from: s + (i * c1 + i1) * c2, count: c2) }
            }
        } else if t1 == 1 {
            for i in 0..<g {
                var b = 0
                while b < c1 {
                    let e = min(c1, b + tile)
                    for k in 0..<c2 {
                        let out = base + i * t0 + k * t2
                        for ii in b..<e { out[ii] = s[(i * c1 + ii) * c2 + k] }
                    }
                    b = e
                }
            }
        } else {
            var b = 0
            while b < g {
                let e = min(g, b + tile)
                for i1 in 0..<c1 {
                    for k in 0..<c2 {
                        let out = base + i1 * t1 + k * t2
                        for ii in b..<e { out[ii] = s[(ii * c1 + i1) * c2 + k] }
                    }
                }
                b = e
            }
        }
    }
}
