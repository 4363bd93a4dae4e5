import Foundation
import Synchronization

/// Reads row blocks of a gzip-chunked HDF5 dataset (`HDF5ChunkLayout`: deflate, optionally
/// shuffle, plain numeric type) by decoding its chunks itself, in parallel and outside the
/// libhdf5 lock.
///
/// For each chunk the rows touch, a worker (up to `workers`, each with its own
/// `HDF5ChunkScratch`) takes the lock only to read the chunk's stored bytes with
/// `H5Dread_chunk`, then inflates it with zlib, un-shuffles it when the chunk's filter mask
/// says shuffle was applied, converts it to Float32 and writes its intersection with the
/// rows (edge chunks: only the part inside the dataset) into the pixel-major destination,
/// for any stored axis order. Chunks partition the dataset, so workers write disjoint
/// elements. Each chunk is decoded once per call: callers streaming the cube should ask for
/// multiples of `preferredRowMultiple` rows.
///
/// A call touching a chunk with no storage allocated (it holds the fill value), a chunk
/// whose stored size is implausible, or a chunk `H5Dread_chunk` cannot read is served
/// entirely by `fallback` (`H5Dread`). A chunk that fails to inflate throws a
/// `CubeFormatError` naming the file, the dataset, the chunk's offset and zlib's message.
struct HDF5ChunkStorage: DatacubeStorage {
    let layout: HDF5ChunkLayout
    /// The `H5Dread` path over the same dataset, for calls this storage does not decode
    /// itself; it also gives the dataset, its stored shape and axes.
    let fallback: HDF5Storage
    var dataset: HDF5File.Dataset { fallback.dataset }
    /// Stored shape, slowest dimension first.
    var shape: [Int] { fallback.shape }
    /// Cube axis of each stored dimension (0 = y, 1 = x, 2 = c).
    var axes: [Int] { fallback.axes }
    /// Threads decoding chunks in one call.
    var workers = ProcessInfo.processInfo.activeProcessorCount

    /// One call already decodes on every core; splitting a read between threads would
    /// decode the chunks cut by the split twice.
    var readsConcurrently: Bool { false }

    /// The chunk height in image rows.
    var preferredRowMultiple: Int { layout.chunk[axes.firstIndex(of: 0)!] }

    func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let c = layout.chunk
        let lo = axes.map { $0 == 0 ? rows.lowerBound : 0 }                          // box start per stored dim
        let hi = (0..<3).map { axes[$0] == 0 ? rows.upperBound : shape[$0] }         // box end per stored dim
        var found: [[Int]] = []
        for a in stride(from: lo[0] / c[0] * c[0], to: hi[0], by: c[0]) {
            for b in stride(from: lo[1] / c[1] * c[1], to: hi[1], by: c[1]) {
                for d in stride(from: lo[2] / c[2] * c[2], to: hi[2], by: c[2]) { found.append([a, b, d]) }
            }
        }
        let origins = found
        // Stored sizes first (one hold of the lock): a missing chunk sends the whole call to H5Dread.
        let largest = 2 * layout.chunkBytes + (64 << 10)  // deflate output of incompressible data is ~0.1% larger
        guard let sizes = try? dataset.chunkStorageSizes(origins), sizes.allSatisfy({ $0 > 0 && $0 <= largest }) else {
            return try fallback.readRows(rows, width: width, channels: channels, into: buffer)
        }
        let cubeStride = [width * channels, channels, 1]
        let t = axes.map { cubeStride[$0] }                                           // destination stride per stored dim
        let queue = ChunkQueue(count: origins.count)
        nonisolated(unsafe) let destination = buffer.baseAddress!
        let n = max(1, min(workers, origins.count))
        DispatchQueue.concurrentPerform(iterations: n) { _ in
            let scratch = HDF5ChunkScratch()
            while let i = queue.next() {
                do {
                    try decode(origins[i], lo: lo, hi: hi, t: t, scratch: scratch, into: destination)
                } catch {
                    queue.fail(i, error)
                }
            }
        }
        if let error = queue.failure {
            if error is UseFallback { return try fallback.readRows(rows, width: width, channels: channels, into: buffer) }
            throw error
        }
    }

    /// Reads, decodes and places the chunk whose first element is `origin`.
    private func decode(_ origin: [Int], lo: [Int], hi: [Int], t: [Int], scratch: HDF5ChunkScratch,
                        into destination: UnsafeMutablePointer<Float>) throws {
        let read: (bytes: Int, filterMask: UInt32)?
        do {
            read = try dataset.readRawChunk(at: origin) { scratch.raw(bytes: $0) }
        } catch {
            throw UseFallback()
        }
        guard let read else { throw UseFallback() }
        let raw = UnsafeRawBufferPointer(start: scratch.raw(bytes: read.bytes), count: read.bytes)
        let chunk = try layout.decode(raw, filterMask: read.filterMask, scratch: scratch, file: dataset.file.path,
                                      field: "\(dataset.path) chunk at \(origin)")
        // The chunk's part inside the box (and the dataset): [from, to) per stored dim.
        let c = layout.chunk, es = layout.type.byteSize
        let from = (0..<3).map { max(origin[$0], lo[$0]) }
        let to = (0..<3).map { min(origin[$0] + c[$0], hi[$0]) }
        let run = to[2] - from[2]
        for g0 in from[0]..<to[0] {
            for g1 in from[1]..<to[1] {
                let source = ((g0 - origin[0]) * c[1] + (g1 - origin[1])) * c[2] + (from[2] - origin[2])
                let target = (g0 - lo[0]) * t[0] + (g1 - lo[1]) * t[1] + (from[2] - lo[2]) * t[2]
                ElementConversion.convert(chunk + source * es, count: run, type: layout.type, byteOrder: layout.byteOrder,
                                          to: destination + target, stride: t[2])
            }
        }
    }
}

/// Thrown inside a call of `HDF5ChunkStorage.readRows` to hand the call to its `fallback`.
private struct UseFallback: Error {}

/// Hands out chunk indices to worker threads, and keeps the failure of the lowest chunk
/// index (a real error before a fallback request); after a failure no new index is handed out.
private final class ChunkQueue: Sendable {
    private struct State {
        var nextIndex = 0
        var failed: (index: Int, error: any Error)?
    }
    private let count: Int
    private let state = Mutex(State())

    init(count: Int) { self.count = count }

    func next() -> Int? {
        state.withLock { s in
            guard s.failed == nil, s.nextIndex < count else { return nil }
            defer { s.nextIndex += 1 }
            return s.nextIndex
        }
    }

    func fail(_ index: Int, _ error: any Error) {
        state.withLock { s in
            let fallback = error is UseFallback
            if let current = s.failed {
                let currentFallback = current.error is UseFallback
                guard (currentFallback && !fallback) || (currentFallback == fallback && index < current.index) else { return }
            }
            s.failed = (index, error)
        }
    }

    var failure: (any Error)? { state.withLock { $0.failed?.error } }
}
