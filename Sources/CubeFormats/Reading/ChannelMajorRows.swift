import Foundation
import Synchronization

/// Reads rows of a channel-major file (BSQ `.cyx` or BIL `.ycx`) into a pixel-major
/// (rows, width, channels) Float32 destination, for one element loader.
///
/// The rows' pixels form segments whose pixels are contiguous per channel in the file:
/// BSQ has one segment (rows x width pixels), each channel's run `height * width` elements
/// after the previous channel's; BIL has one segment per row (width pixels), channel runs
/// `width` apart. Work units are (segment, tile of `tileChannels` channels); each unit is
/// moved in chunks of pixels sized so the chunk's stored bytes fit `scratchBytes` (L2):
/// one `pread` per channel run (one for the whole chunk when its runs are adjacent in the
/// file, as BIL's are), then `ChannelTranspose` converts and writes every destination line
/// of the chunk in full. For calls of at least `parallelElements` values the units are split
/// into contiguous ranges, one per worker thread (`workers`), each with its own staging.
struct ChannelMajorRows: ElementLoaderBody {
    let storage: DenseFileStorage
    let rows: Range<Int>
    let width: Int
    let channels: Int
    let destination: UnsafeMutablePointer<Float>

    func run<L: ElementLoader>(_ loader: L.Type) throws(any Error) {
        let bsq = storage.axes == [2, 0, 1]
        let segments = bsq ? 1 : rows.count
        let tile = max(1, min(channels, storage.tileChannels))
        // When every pixel starts at the same offset in a 64-byte line, the first tile ends at
        // a line boundary so that each later tile writes whole lines.
        let misalignment = (Int(bitPattern: destination) & 63) / 4
        let lead = (channels * 4) % 64 == 0 && Int(bitPattern: destination) % 4 == 0 && misalignment != 0
            ? min(channels, 16 - misalignment) : 0
        let tiles = (lead > 0 ? 1 : 0) + (channels - lead + tile - 1) / tile
        let units = segments * tiles
        let n = rows.count * width * channels >= storage.parallelElements ? max(1, min(storage.workers, units)) : 1
        if n == 1 { return try move(L.self, units: 0..<units, tile: tile, lead: lead, tiles: tiles) }
        let errors = WorkerErrors(count: n)
        let body = UncheckedSendable(self)
        DispatchQueue.concurrentPerform(iterations: n) { w in
            do {
                try body.value.move(L.self, units: (units * w / n)..<(units * (w + 1) / n), tile: tile, lead: lead, tiles: tiles)
            } catch {
                errors.set(w, error)
            }
        }
        if let error = errors.first { throw error }
    }

    private func move<L: ElementLoader>(_: L.Type, units: Range<Int>, tile: Int, lead: Int, tiles: Int) throws {
        let es = storage.type.byteSize
        let bsq = storage.axes == [2, 0, 1]
        let height = bsq ? storage.dims[1] : storage.dims[0]
        let segmentPixels = bsq ? rows.count * width : width
        let channelStride = bsq ? height * width : width
        var chunk = storage.scratchBytes / (tile * es)
        if chunk >= 16 { chunk &= ~15 }
        chunk = max(1, min(segmentPixels, chunk))
        let staging = UnsafeMutableRawPointer.allocate(byteCount: tile * chunk * es, alignment: 64)
        defer { staging.deallocate() }
        for unit in units {
            let s = unit / tiles, t = unit % tiles
            let c0 = lead == 0 ? t * tile : t == 0 ? 0 : lead + (t - 1) * tile
            let n = lead != 0 && t == 0 ? lead : min(tile, channels - c0)
            // File element of channel 0's first pixel in this segment, and the segment's output.
            let first = bsq ? rows.lowerBound * width : (rows.lowerBound + s) * channels * width
            let out = destination + s * segmentPixels * channels
            var p0 = 0
            while p0 < segmentPixels {
                let m = min(chunk, segmentPixels - p0)
                if m == channelStride {
                    try storage.file.read(into: staging, count: n * m * es, at: storage.offset + (first + c0 * channelStride) * es)
                } else {
                    for k in 0..<n {
                        try storage.file.read(into: staging + k * m * es, count: m * es,
                                              at: storage.offset + (first + (c0 + k) * channelStride + p0) * es)
                    }
                }
                ChannelTranspose.run(L.self, from: staging, channels: n, pixels: m, channelStride: m,
                                     into: out + p0 * channels + c0, pixelStride: channels)
                p0 += m
            }
        }
    }
}

/// The first error of each worker thread (or part of a read), behind a lock; `first` is the
/// lowest-numbered worker's.
final class WorkerErrors: Sendable {
    private let errors: Mutex<[(any Error)?]>
    init(count: Int) { errors = Mutex(Array(repeating: nil, count: count)) }
    func set(_ worker: Int, _ error: any Error) { errors.withLock { $0[worker] = error } }
    var first: (any Error)? { errors.withLock { $0.compactMap { $0 }.first } }
}

/// Hands a value holding raw pointers to worker threads that each touch a disjoint part of
/// the memory it points to.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
