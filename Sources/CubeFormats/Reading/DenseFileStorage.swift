/// A cube stored densely in one file from `offset` on: a 3-D array whose stored dimensions
/// (outermost first) hold the cube axes in `order`, each element `type` in `byteOrder`.
/// Serves NumPy, raw, ENVI and RPL files.
///
/// `readRows` reads the box (rows, all columns, all channels) with `pread`: the stored
/// array is walked in the longest contiguous runs the box allows, read through a scratch
/// buffer of at most `scratchBytes`, and scattered into the pixel-major destination.
/// Native-order Float32 pixel-major (BIP) data is read straight into the destination.
/// Worst case: when y is the innermost stored dimension (Fortran-order (H, W, C)) each
/// run is one column segment, so reads are many and short.
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

    /// `height * width * channels * type.byteSize`: bytes of data after `offset`.
    var dataBytes: Int { dims.reduce(1, *) * type.byteSize }

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
        let cubeDst = [width * channels, channels, 1]                // destination stride per cube axis
        let t = axes.map { cubeDst[$0] }                              // destination stride per stored dim
        let lo = axes.map { $0 == 0 ? rows.lowerBound : 0 }           // box start per stored dim
        let counts = (0..<3).map { axes[$0] == 0 ? rows.count : dims[$0] }  // box size per stored dim
        let dst = buffer.baseAddress!
        let n1 = dims[1], n2 = dims[2]

        // Fast path: native float32 whose box is one contiguous destination-ordered run.
        let destinationOrdered = t[2] == 1 && t[1] == n2 && t[0] == n1 * n2
        if type == .float32 && byteOrder == .native && destinationOrdered && counts[1] == n1 && counts[2] == n2 {
            try file.read(into: dst, count: counts[0] * n1 * n2 * 4, at: offset + lo[0] * n1 * n2 * 4)
            return
        }

        // Innermost stored dim is always read whole unless it is y; a "unit" is one run of it.
        let unit = counts[2]
        let scratchUnits = max(1, scratchBytes / max(1, unit * es))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: min(scratchUnits, counts[0] * counts[1]) * unit * es, alignment: 16)
        defer { scratch.deallocate() }

        // Units are indexed by (i0, i1) in the box; consecutive units are contiguous on disk
        // when the innermost dimension is whole, and, across i0, when dimension 1 is too.
        let wholeInner = counts[2] == n2
        let wholeMiddle = counts[1] == n1
        func fileElement(_ i0: Int, _ i1: Int) -> Int { ((lo[0] + i0) * n1 + lo[1] + i1) * n2 + lo[2] }
        func convertUnits(_ first: Int, _ count: Int) {
            for u in 0..<count {
                let i0 = (first + u) / counts[1], i1 = (first + u) % counts[1]
                let target = dst + i0 * t[0] + i1 * t[1]
                ElementConversion.convert(scratch + u * unit * es, count: unit, type: type, byteOrder: byteOrder,
                                          to: target, stride: t[2])
            }
        }
        let totalUnits = counts[0] * counts[1]
        if wholeInner {
            // Runs: all units of one i0 (or all units, if the middle dimension is whole too).
            let runUnits = wholeMiddle ? totalUnits : counts[1]
            var first = 0
            while first < totalUnits {
                let runEnd = min(totalUnits, (first / runUnits + 1) * runUnits)
                let take = min(scratchUnits, runEnd - first)
                let i0 = first / counts[1], i1 = first % counts[1]
                try file.read(into: scratch, count: take * unit * es, at: offset + fileElement(i0, i1) * es)
                if destinationOrdered && wholeMiddle {
                    ElementConversion.convert(scratch, count: take * unit, type: type, byteOrder: byteOrder,
                                              to: dst + first * unit, stride: 1)
                } else {
                    convertUnits(first, take)
                }
                first += take
            }
        } else {
            // y is innermost: one read per unit.
            for u in 0..<totalUnits {
                try file.read(into: scratch, count: unit * es, at: offset + fileElement(u / counts[1], u % counts[1]) * es)
                let target = dst + (u / counts[1]) * t[0] + (u % counts[1]) * t[1]
                ElementConversion.convert(scratch, count: unit, type: type, byteOrder: byteOrder, to: target, stride: t[2])
            }
        }
    }
}
