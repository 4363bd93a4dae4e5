import Foundation

/// Opens FITS cubes through cfitsio: the primary HDU if it is 3-D, else the first 3-D image
/// extension, or the HDU named by EXTNAME or 0-based index. NAXIS1 is x, NAXIS2 y, NAXIS3
/// the spectral axis (further axes must have length 1). Values come out as Float32 with
/// BSCALE/BZERO applied. Plain image arrays are read straight from the file
/// (`FITSDirectLayout`); tile-compressed, scaled and BLANK images through cfitsio.
enum FITSReader {
    /// "SIMPLE  =" starts every FITS file.
    static func isFITS(_ prefix: [UInt8]) -> Bool { prefix.starts(with: Array("SIMPLE  =".utf8)) }

    static func open(_ url: URL, extensionName: String?) throws -> Datacube {
        let file = try FITSFile(path: url.path)
        let hdu = try chooseHDU(file, requested: extensionName)
        try file.moveTo(hdu: hdu)
        let (bitpix, axes) = try file.imageShape()
        guard axes.count >= 3, axes.dropFirst(3).allSatisfy({ $0 == 1 }) else {
            throw CubeFormatError(.unsupported, file: url.path, field: "NAXIS (HDU \(hdu))",
                                  expected: "a 3-D image (NAXIS1 = x, NAXIS2 = y, NAXIS3 = spectral)", found: "axes \(axes)")
        }
        let type = dataType(bitpix: bitpix)
        try CubeGeometry.validate(height: axes[1], width: axes[0], channels: axes[2], type: type,
                                  file: url.path, field: "NAXIS1/NAXIS2/NAXIS3")
        let axis = FITSSpectralWCS.axis(count: axes[2], keyword: file.keyword)
        var details = ["hdu": String(hdu), "bitpix": String(bitpix)]
        if let name = file.keyword("EXTNAME") { details["extname"] = name }
        if let z = file.keyword("ZCMPTYPE") { details["compression"] = z }
        let storage: any DatacubeStorage
        if let direct = try FITSDirectLayout.of(file, axes: axes) {
            storage = try direct.storage(path: url.path, height: axes[1], width: axes[0], channels: axes[2])
            details["read"] = "direct"
        } else {
            storage = FITSStorage(file: file, hdu: hdu)
            details["read"] = "cfitsio"
        }
        let info = SourceInfo(format: CubeFormat.fits.rawValue, dataType: type.rawValue, path: url.path, details: details)
        return Datacube(height: axes[1], width: axes[0], channels: axes[2], axis: axis, info: info, storage: storage)
    }

    /// The HDU to read: `requested` as EXTNAME or index, else the first 3-D image HDU.
    static func chooseHDU(_ file: FITSFile, requested: String?) throws -> Int {
        if let requested {
            if let index = Int(requested) {
                guard try file.moveTo(hdu: index) else {
                    throw CubeFormatError(.unsupported, file: file.path, field: "HDU \(index)", expected: "an image HDU", found: "a table")
                }
                return index
            }
            return try file.moveTo(extensionNamed: requested)
        }
        var seen: [String] = []
        for index in 0..<(try file.hduCount()) {
            guard try file.moveTo(hdu: index) else { seen.append("\(index): table"); continue }
            let axes = try file.imageShape().axes
            if axes.count >= 3, axes.dropFirst(3).allSatisfy({ $0 == 1 }) { return index }
            seen.append("\(index): image \(axes)")
        }
        throw CubeFormatError(.unsupported, file: file.path, field: "HDU", expected: "a 3-D image HDU",
                              found: seen.isEmpty ? "no HDU" : seen.joined(separator: ", "))
    }

    /// The stored element type named by an equivalent BITPIX (cfitsio's *_IMG codes).
    static func dataType(bitpix: Int) -> CubeDataType {
        switch bitpix {
        case 8: .uint8
        case 10: .int8
        case 16: .int16
        case 20: .uint16
        case 32: .int32
        case 40: .uint32
        case 64: .int64
        case 80: .uint64
        case -64: .float64
        default: .float32
        }
    }
}

/// Reads row blocks of a FITS image: for a group of channel planes, the rows' pixels of each
/// plane in one cfitsio call into a staging buffer (at most `stagingBytes`), then a
/// cache-blocked transpose into the pixel-major destination.
struct FITSStorage: DatacubeStorage {
    let file: FITSFile
    let hdu: Int
    var stagingBytes = 8 << 20

    func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let plane = rows.count * width
        let group = max(1, min(channels, (stagingBytes / 4) / plane))
        let staging = UnsafeMutablePointer<Float>.allocate(capacity: group * plane)
        defer { staging.deallocate() }
        let dst = buffer.baseAddress!
        var c0 = 0
        while c0 < channels {
            let g = min(group, channels - c0)
            for k in 0..<g {
                try file.readFloats(hdu: hdu, first: [1, rows.lowerBound + 1, c0 + k + 1], count: plane, into: staging + k * plane)
            }
            // Staging is (channel, y, x); destination strides are 1, width * channels, channels.
            DenseFileStorage.scatter(staging, g: g, c1: rows.count, c2: width, t: [1, width * channels, channels], into: dst + c0)
            c0 += g
        }
    }
}
