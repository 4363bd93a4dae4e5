import Foundation

/// Where an uncompressed FITS image's data array lies in the file, when its values can be
/// read with `pread` instead of through cfitsio.
///
/// A FITS image array is stored band-sequential, big-endian: NAXIS1 (x) varies fastest,
/// then NAXIS2 (y), then NAXIS3 (channels), i.e. row major (channels, height, width), one
/// contiguous run from the data start. Reading it directly skips cfitsio's 2,880-byte
/// record buffers and per-call bookkeeping (measured: 1.4 GB/s through `ffgpxv` versus the
/// dense reader's transpose speed on the same bytes). cfitsio still parses the header, the
/// WCS and the HDU structure, and reads everything that needs its semantics: tile-compressed
/// images, BSCALE other than 1, BZERO other than the unsigned-integer offsets below, and
/// integer images with BLANK (null pixels become NaN).
struct FITSDirectLayout: Equatable {
    /// Byte offset of the first data element in the file.
    var dataOffset: Int
    /// Element type as stored (big-endian), named by BITPIX.
    var storedType: CubeDataType
    /// Added to every value after conversion: 0, or BZERO for the two offsets that are exact
    /// in Float32 (BITPIX 16 with BZERO 32768 is unsigned 16-bit; BITPIX 8 with BZERO -128
    /// is signed 8-bit).
    var shift: Float

    /// The layout of the current HDU of `file` (an image of `axes`, NAXIS1 first), or nil
    /// when cfitsio must read it. Throws when the file is shorter than its data array.
    static func of(_ file: FITSFile, axes: [Int]) throws -> FITSDirectLayout? {
        guard try !file.isCompressedImage() else { return nil }
        let bitpix = try file.storedBitpix()
        let stored: CubeDataType
        switch bitpix {
        case 8: stored = .uint8
        case 16: stored = .int16
        case 32: stored = .int32
        case 64: stored = .int64
        case -32: stored = .float32
        case -64: stored = .float64
        default: return nil
        }
        guard number(file.keyword("BSCALE")) ?? 1 == 1 else { return nil }
        if bitpix > 0, file.keyword("BLANK") != nil { return nil }
        let shift: Float
        switch (bitpix, number(file.keyword("BZERO")) ?? 0) {
        case (_, 0): shift = 0
        case (16, 32768): shift = 32768
        case (8, -128): shift = -128
        default: return nil
        }
        let (header, data) = try file.hduAddress()
        // The bytes on disk must be the FITS file cfitsio parsed (not a gzip it inflated).
        let disk = try BinaryFile(path: file.path)
        guard disk.size >= header + 8 else { return nil }
        var card = [UInt8](repeating: 0, count: 8)
        try card.withUnsafeMutableBytes { try disk.read(into: $0.baseAddress!, count: 8, at: header) }
        guard card == Array("SIMPLE  ".utf8) || card == Array("XTENSION".utf8) else { return nil }
        let bytes = axes.reduce(stored.byteSize, *)
        guard disk.size >= data + bytes else {
            throw CubeFormatError(.sizeMismatch, file: file.path, field: "data array of NAXIS \(axes), BITPIX \(bitpix)",
                                  expected: "\(bytes) bytes from offset \(data)",
                                  found: "\(disk.size - data) bytes (truncated)")
        }
        return FITSDirectLayout(dataOffset: data, storedType: stored, shift: shift)
    }

    /// A keyword's value as a number (FITS allows `D` exponents), nil when absent or not numeric.
    static func number(_ text: String?) -> Double? {
        text.flatMap { Double($0.replacingOccurrences(of: "D", with: "E")) }
    }

    /// Storage reading the (height, width, channels) cube at this layout from `path`.
    func storage(path: String, height: Int, width: Int, channels: Int) throws -> any DatacubeStorage {
        let dense = DenseFileStorage(file: try BinaryFile(path: path), offset: dataOffset, type: storedType, byteOrder: .big,
                                     height: height, width: width, channels: channels, order: .cyx)
        return shift == 0 ? dense : ShiftedStorage(base: dense, shift: shift)
    }
}

/// Adds `shift` to every value `base` reads (an exact Float32 offset, such as FITS BZERO).
struct ShiftedStorage: DatacubeStorage {
    let base: any DatacubeStorage
    let shift: Float
    var readsConcurrently: Bool { base.readsConcurrently }
    var preferredRowMultiple: Int { base.preferredRowMultiple }

    func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        try base.readRows(rows, width: width, channels: channels, into: buffer)
        let n = rows.count * width * channels
        for i in 0..<n { buffer[i] += shift }
    }
}
