/// The chunks of a gzip-compressed HDF5 dataset as `HDF5ChunkStorage` decodes them itself
/// (see `HDF5File.chunkedLayout`): chunk shape, plain stored type and a filter pipeline of
/// one deflate and at most one shuffle.
struct HDF5ChunkLayout: Sendable, Equatable {
    /// The filters decoded here, with their HDF5 ids.
    enum Filter: Int, Sendable {
        case deflate = 1  // H5Z_FILTER_DEFLATE
        case shuffle = 2  // H5Z_FILTER_SHUFFLE
    }

    /// Chunk shape in stored dimensions, slowest first. Edge chunks are stored whole.
    var chunk: [Int]
    var type: CubeDataType
    var byteOrder: ByteOrder
    /// The pipeline in the order libhdf5 applied it when writing; bit i of a chunk's filter
    /// mask set means filter i was skipped for that chunk.
    var filters: [Filter]

    /// Bytes of one decoded chunk, `chunk` elements of `type`.
    var chunkBytes: Int { chunk.reduce(type.byteSize, *) }

    /// Undoes the filters of one stored chunk (`raw`, as `H5Dread_chunk` gave it) in reverse
    /// order, skipping those `filterMask` marks, and returns the decoded `chunkBytes` bytes
    /// (row major in `chunk`'s shape, stored type and byte order), which live in `scratch`
    /// (or in `raw` when every filter was skipped) until the next call. Throws a
    /// `CubeFormatError` naming `file` and `field` when the stream does not inflate to
    /// exactly `chunkBytes` bytes.
    func decode(_ raw: UnsafeRawBufferPointer, filterMask: UInt32, scratch: HDF5ChunkScratch,
                file: String, field: String) throws -> UnsafeRawPointer {
        var current = raw
        var spare = 0
        for (index, filter) in filters.enumerated().reversed() where filterMask & (1 << UInt32(index)) == 0 {
            let count = filter == .deflate ? chunkBytes : current.count
            let out = scratch.buffer(spare, bytes: count)
            switch filter {
            case .deflate:
                try ZlibInflate.inflate(current, into: UnsafeMutableRawBufferPointer(start: out, count: count), file: file, field: field)
            case .shuffle:
                Self.unshuffle(current, elementSize: type.byteSize, into: out)
            }
            current = UnsafeRawBufferPointer(start: out, count: count)
            spare ^= 1
        }
        guard current.count == chunkBytes, let base = current.baseAddress else {
            throw CubeFormatError(.sizeMismatch, file: file, field: field, expected: "\(chunkBytes) bytes once decoded",
                                  found: "\(current.count) bytes (filter mask \(filterMask))")
        }
        return base
    }

    /// Undoes HDF5's shuffle filter (H5Zshuffle.c): the stored bytes hold byte 0 of every
    /// element, then byte 1 of every element, ...; `count / elementSize` whole elements,
    /// followed by the `count % elementSize` leftover bytes unchanged. One-byte elements and
    /// buffers of at most one element are left as they are.
    static func unshuffle(_ source: UnsafeRawBufferPointer, elementSize: Int, into destination: UnsafeMutableRawPointer) {
        let count = source.count
        guard count > 0, let src = source.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let elements = count / elementSize
        guard elementSize > 1, elements > 1 else {
            destination.copyMemory(from: src, byteCount: count)
            return
        }
        let dst = destination.assumingMemoryBound(to: UInt8.self)
        for byte in 0..<elementSize {
            let plane = src + byte * elements
            for i in 0..<elements { dst[i &* elementSize &+ byte] = plane[i] }
        }
        let whole = elements * elementSize
        if whole < count { (dst + whole).update(from: src + whole, count: count - whole) }
    }
}

/// One worker's buffers for decoding chunks: the stored bytes and two work buffers, each
/// grown as needed and reused from chunk to chunk. Not shared between threads.
final class HDF5ChunkScratch {
    private var pointers: [UnsafeMutableRawPointer?] = [nil, nil, nil]
    private var sizes = [0, 0, 0]

    /// Work buffer 0 or 1, or 2 for the stored bytes, holding at least `bytes` bytes. Its
    /// previous contents are not kept when it grows.
    func buffer(_ which: Int, bytes: Int) -> UnsafeMutableRawPointer {
        if let p = pointers[which], sizes[which] >= bytes { return p }
        pointers[which]?.deallocate()
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        pointers[which] = p
        sizes[which] = bytes
        return p
    }

    /// The buffer for a chunk's stored bytes.
    func raw(bytes: Int) -> UnsafeMutableRawPointer { buffer(2, bytes: bytes) }

    deinit { for p in pointers { p?.deallocate() } }
}
