import Foundation

/// A spectral datacube: an image of `height x width` pixels, each holding a spectrum of
/// `channels` values.
///
/// Values are read in row blocks through `readRows(_:into:)` into a caller-owned Float32
/// buffer laid out pixel-major: pixel `(y, x)` of the block starts at
/// `((y - rows.lowerBound) * width + x) * channels`, and its channels follow contiguously
/// (row major (pixels, channels)). The storage behind a cube (a memory-mapped file, a
/// stream, an in-memory array) never needs more than one Float32 copy of the cube.
public struct Datacube: Sendable {
    public let height: Int
    public let width: Int
    public let channels: Int
    /// The spectral axis: one value per channel, with its unit.
    public let axis: SpectralAxis
    /// What the data was read from, and how it was stored there.
    public let info: SourceInfo
    let storage: any DatacubeStorage

    public init(height: Int, width: Int, channels: Int, axis: SpectralAxis? = nil,
                info: SourceInfo, storage: any DatacubeStorage) {
        precondition(height > 0 && width > 0 && channels > 0, "empty datacube")
        self.height = height
        self.width = width
        self.channels = channels
        self.axis = axis ?? .channelIndex(channels)
        self.info = info
        self.storage = storage
    }

    /// An in-memory cube over row-major (height, width, channels) Float32 values.
    public init(height: Int, width: Int, channels: Int, values: [Float], axis: SpectralAxis? = nil,
                info: SourceInfo = SourceInfo(format: "memory", dataType: "float32")) {
        precondition(values.count == height * width * channels, "values.count != height * width * channels")
        self.init(height: height, width: width, channels: channels, axis: axis, info: info,
                  storage: ArrayStorage(values: values))
    }

    /// The same cube on another spectral axis (one value per channel).
    public func replacingAxis(_ axis: SpectralAxis) -> Datacube {
        precondition(axis.values.count == channels, "axis has \(axis.values.count) values for \(channels) channels")
        return Datacube(height: height, width: width, channels: channels, axis: axis, info: info, storage: storage)
    }

    /// Number of pixels, `height * width`.
    public var pixelCount: Int { height * width }

    /// Size of the cube as Float32, in bytes.
    public var float32Bytes: Int { height * width * channels * 4 }

    /// Reads image rows `rows` (a range of y) into `buffer`, which must hold at least
    /// `rows.count * width * channels` floats; layout as described on the type.
    public func readRows(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= height, "rows \(rows) outside 0..<\(height)")
        precondition(buffer.count >= rows.count * width * channels, "buffer too small for \(rows.count) rows")
        try storage.readRows(rows, width: width, channels: channels, into: buffer)
    }

    /// Convenience: rows `rows` as a new array (pixel-major, see the type's layout).
    /// The array is not zero-filled first (the reader writes every element), and a large one
    /// asks the kernel for transparent huge pages, so that a 2 GB cube costs about 1,000 page
    /// faults instead of 500,000 (measured: the page faults were most of `readAll`'s time).
    ///
    /// When the storage reads concurrently and the rows hold at least 64 MiB, contiguous
    /// parts of them are read on up to `activeProcessorCount` (at most 4) threads at once, so
    /// that conversion, transposition and the kernel's page faults run in parallel.
    public func readRows(_ rows: Range<Int>) throws -> [Float] {
        let parallel = storage.readsConcurrently && rows.count * width * channels * 4 >= 64 << 20
        return try readRows(rows, parts: parallel ? min(ProcessInfo.processInfo.activeProcessorCount, 4) : 1)
    }

    /// `readRows(_:)` split into `parts` contiguous row ranges read concurrently (at most one
    /// per row); the first error by part is rethrown.
    func readRows(_ rows: Range<Int>, parts requested: Int) throws -> [Float] {
        let perRow = width * channels
        let count = rows.count * perRow
        let parts = max(1, min(requested, rows.count))
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
            if parts <= 1 {
                try readRows(rows, into: buffer)
            } else {
                let errors = WorkerErrors(count: parts)
                nonisolated(unsafe) let destination = buffer
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let lo = rows.lowerBound + rows.count * part / parts, hi = rows.lowerBound + rows.count * (part + 1) / parts
                    let slice = UnsafeMutableBufferPointer(rebasing: destination[((lo - rows.lowerBound) * perRow)..<((hi - rows.lowerBound) * perRow)])
                    do { try readRows(lo..<hi, into: slice) } catch { errors.set(part, error) }
                }
                if let error = errors.first { throw error }
            }
            initialized = count
        }
    }

    /// The whole cube as one row-major (height, width, channels) array. Allocates
    /// `float32Bytes`; prefer `forEachRowBlock` for large cubes.
    public func readAll() throws -> [Float] { try readRows(0..<height) }

    /// Calls `body` with consecutive blocks of at most `rowsPerBlock` image rows, reusing
    /// one buffer. The buffer holds `rows.count * width * channels` valid floats. Without
    /// `rowsPerBlock`, blocks hold about 16 MiB of Float32, rounded to a (nonzero) multiple of
    /// the storage's `preferredRowMultiple` unless that multiple alone would exceed 64 MiB
    /// (streaming memory stays bounded; tall chunks are then decoded more than once).
    public func forEachRowBlock(rowsPerBlock: Int? = nil,
                                _ body: (_ rows: Range<Int>, _ values: UnsafeBufferPointer<Float>) throws -> Void) throws {
        let perRow = width * channels
        // ~16 MiB blocks unless told otherwise, rounded to a multiple of the storage's preferred
        // row count (a chunked file's chunk height, so that each chunk is decoded once).
        let preferred = max(1, storage.preferredRowMultiple)
        let multiple = preferred * perRow * 4 <= 64 << 20 ? preferred : 1
        let target = max(1, (16 << 20) / max(1, perRow * 4))
        let r = max(1, rowsPerBlock ?? max(1, (target + multiple / 2) / multiple) * multiple)
        var buffer = [Float](repeating: 0, count: min(r, height) * perRow)
        var y = 0
        while y < height {
            let rows = y..<min(height, y + r)
            try buffer.withUnsafeMutableBufferPointer { b in
                let slice = UnsafeMutableBufferPointer(rebasing: b[0..<(rows.count * perRow)])
                try readRows(rows, into: slice)
                try body(rows, UnsafeBufferPointer(slice))
            }
            y = rows.upperBound
        }
    }
}

/// Where a cube's values live. Implementations convert their stored type, byte order and
/// interleave to Float32 pixel-major blocks on the fly.
///
/// Implementations are `Sendable`: reading rows must be safe from several threads, or
/// serialised internally (libhdf5 is not reentrant).
public protocol DatacubeStorage: Sendable {
    /// Writes rows `rows` of a (height, width, channels) cube into `buffer`, pixel-major.
    func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws
    /// True when reads from several threads proceed in parallel (`pread`-based storage), false
    /// when they serialise behind a lock (libhdf5, cfitsio) and splitting them gains nothing.
    var readsConcurrently: Bool { get }
    /// Row blocks that are a multiple of this many rows cost least per row (a chunked
    /// dataset's chunk height: a block cutting through chunks decodes them twice). 1 when
    /// any block size is as good.
    var preferredRowMultiple: Int { get }
}

extension DatacubeStorage {
    public var readsConcurrently: Bool { false }
    public var preferredRowMultiple: Int { 1 }
}

/// A cube held in memory as row-major (height, width, channels) Float32.
public struct ArrayStorage: DatacubeStorage {
    public let values: [Float]
    public var readsConcurrently: Bool { true }
    public init(values: [Float]) { self.values = values }
    public func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let n = rows.count * width * channels
        let start = rows.lowerBound * width * channels
        values.withUnsafeBufferPointer { src in
            buffer.baseAddress!.update(from: src.baseAddress!.advanced(by: start), count: n)
        }
    }
}

/// What a cube was read from: format name (`npy`, `raw`, `envi`, `rpl`, `fits`, `hdf5`,
/// `memory`), the stored element type (`float32`, `uint16`, ...), the file, and
/// free-form details (HDF5 dataset path, FITS extension, interleave, ...).
public struct SourceInfo: Sendable, Codable, Equatable {
    public var format: String
    public var dataType: String
    public var path: String?
    public var details: [String: String]
    public init(format: String, dataType: String, path: String? = nil, details: [String: String] = [:]) {
        self.format = format
        self.dataType = dataType
        self.path = path
        self.details = details
    }
}
