import CFITSIO
import Foundation
import Synchronization

/// The one owner of cfitsio calls: an open FITS file, read only. Every call goes through
/// `FITSFile.lock` (cfitsio keeps a global error stack, and one `fitsfile` handle must not
/// be used from two threads), and every nonzero status becomes a `CubeFormatError` whose
/// `found` carries `fits_get_errstatus` text and the error stack.
final class FITSFile: @unchecked Sendable {  // Safe: `handle` is only touched while holding `lock`.
    static let lock = Mutex(())
    let path: String
    private var handle: UnsafeMutablePointer<fitsfile>?

    init(path: String) throws {
        self.path = path
        var h: UnsafeMutablePointer<fitsfile>?
        try Self.lock.withLock { _ in
            var status: Int32 = 0
            cubeseg_fits_open_file(&h, path, READONLY, &status)
            try check(status, "open")
        }
        handle = h
    }

    deinit {
        Self.lock.withLock { _ in
            var status: Int32 = 0
            if handle != nil { ffclos(handle, &status) }
            ffcmsg()
        }
    }

    /// Runs `body` under the lock with the handle.
    func withHandle<T>(_ body: (UnsafeMutablePointer<fitsfile>?) throws -> T) rethrows -> T {
        try Self.lock.withLock { _ in try body(handle) }
    }

    private func check(_ status: Int32, _ operation: String, expected: String = "a readable FITS file") throws {
        guard status != 0 else { return }
        var text = [CChar](repeating: 0, count: 81)
        ffgerr(status, &text)
        var stack: [String] = []
        var message = [CChar](repeating: 0, count: 81)
        while ffgmsg(&message) != 0 { stack.append(String(nulTerminated: message).printableASCII()) }
        let detail = stack.isEmpty ? "" : " (" + stack.joined(separator: "; ") + ")"
        throw CubeFormatError(status == 104 ? .io : .invalidHeader, file: path, field: operation, expected: expected,
                              found: "status \(status): \(String(nulTerminated: text))\(detail)")
    }

    /// Runs one cfitsio call under the lock with a fresh status; a nonzero status throws,
    /// naming `operation`.
    private func call<T>(_ operation: String, expected: String = "a readable FITS file",
                         _ body: (UnsafeMutablePointer<fitsfile>?, inout Int32) -> T) throws -> T {
        try withHandle { h in
            var status: Int32 = 0
            let result = body(h, &status)
            try check(status, operation, expected: expected)
            return result
        }
    }

    /// Number of HDUs in the file.
    func hduCount() throws -> Int {
        try call("HDU count") { h, status in
            var n: Int32 = 0
            ffthdu(h, &n, &status)
            return Int(n)
        }
    }

    /// Makes HDU `index` (0 = primary) current; returns true when it is an image
    /// (tile-compressed images count as images).
    @discardableResult
    func moveTo(hdu index: Int) throws -> Bool {
        try call("HDU \(index)") { h, status in
            var type: Int32 = 0
            ffmahd(h, Int32(index + 1), &type, &status)
            return type == IMAGE_HDU
        }
    }

    /// Makes the image HDU with EXTNAME (or HDUNAME) `name` current; returns its index.
    func moveTo(extensionNamed name: String) throws -> Int {
        try withHandle { h in
            var status: Int32 = 0, number: Int32 = 0
            var copy = Array(name.utf8CString)
            ffmnhd(h, IMAGE_HDU, &copy, 0, &status)
            try check(status, "EXTNAME '\(name)'", expected: "an image HDU named '\(name)'")
            ffghdn(h, &number)
            return Int(number) - 1
        }
    }

    /// The current image HDU's equivalent BITPIX (BZERO/BSCALE taken into account, so
    /// BITPIX 16 with BZERO 32768 reads as 20, unsigned 16-bit) and NAXISn, NAXIS1 first.
    func imageShape() throws -> (equivalentBitpix: Int, axes: [Int]) {
        try withHandle { h in
            var status: Int32 = 0, naxis: Int32 = 0, type: Int32 = 0
            ffgiet(h, &type, &status)
            ffgidm(h, &naxis, &status)
            try check(status, "image header")
            guard naxis > 0 else { return (Int(type), []) }
            var sizes = [Int64](repeating: 0, count: Int(naxis))
            ffgiszll(h, naxis, &sizes, &status)
            try check(status, "NAXISn")
            return (Int(type), sizes.map { Int($0) })
        }
    }

    /// The current HDU's BITPIX as stored (8, 16, 32, 64, -32, -64), before BZERO/BSCALE;
    /// for a tile-compressed image, the BITPIX of the uncompressed image (ZBITPIX).
    func storedBitpix() throws -> Int {
        try call("BITPIX") { h, status in
            var bitpix: Int32 = 0
            ffgidt(h, &bitpix, &status)
            return Int(bitpix)
        }
    }

    /// True when the current HDU is a tile-compressed image (a binary table that cfitsio
    /// decompresses), false for a plain image array.
    func isCompressedImage() throws -> Bool {
        try call("compression") { h, status in fits_is_compressed_image(h, &status) != 0 }
    }

    /// Byte offsets in the file of the current HDU's header and of its data array.
    func hduAddress() throws -> (header: Int, data: Int) {
        try call("HDU address") { h, status in
            var header: Int64 = 0, data: Int64 = 0, end: Int64 = 0
            ffghadll(h, &header, &data, &end, &status)
            return (Int(header), Int(data))
        }
    }

    /// The value of keyword `name` in the current HDU as text (quotes removed), or nil.
    func keyword(_ name: String) -> String? {
        withHandle { h in
            var status: Int32 = 0
            var value = [CChar](repeating: 0, count: 81)
            ffgkey(h, name, &value, nil, &status)
            guard status == 0 else { ffcmsg(); return nil }
            var text = String(nulTerminated: value).trimmingCharacters()
            if text.hasPrefix("'") {
                text = String(text.dropFirst())
                if text.hasSuffix("'") { text = String(text.dropLast()) }
                text = text.replacingOccurrences(of: "''", with: "'").trimmingCharacters()
            }
            return text
        }
    }

    /// Reads `count` pixels starting at 1-based coordinates `first` (NAXIS1 first) of the
    /// image in HDU `hdu` as Float32, BSCALE/BZERO applied and BLANK pixels as NaN.
    func readFloats(hdu: Int, first: [Int], count: Int, into destination: UnsafeMutablePointer<Float>) throws {
        try call("pixels at \(first)") { h, status in
            var anyNull: Int32 = 0, type: Int32 = 0
            ffmahd(h, Int32(hdu + 1), &type, &status)
            var firstPixel = first.map { CLong($0) }
            var null = Float.nan
            ffgpxv(h, TFLOAT, &firstPixel, Int64(count), &null, destination, &anyNull, &status)
        }
    }
}
