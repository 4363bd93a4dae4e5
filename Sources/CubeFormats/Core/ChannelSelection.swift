/// A view of some of a cube's channels, read through the cube it selects from.
extension Datacube {
    /// The same image with only channels `channels` (indices into this cube's channels,
    /// increasing, at least one), in that order, and their axis values. Rows are read from
    /// this cube and gathered, so a block costs one extra copy of its rows; nothing else is
    /// held.
    public func selectingChannels(_ channels: [Int]) -> Datacube {
        precondition(!channels.isEmpty, "a cube needs at least one channel")
        precondition(zip(channels, channels.dropFirst()).allSatisfy { $0 < $1 }, "channels must increase")
        precondition(channels.first! >= 0 && channels.last! < self.channels, "channel outside 0..<\(self.channels)")
        let axis = SpectralAxis(values: channels.map { self.axis.values[$0] }, unit: self.axis.unit, quantity: self.axis.quantity)
        return Datacube(height: height, width: width, channels: channels.count, axis: axis, info: info,
                        storage: ChannelSubsetStorage(source: self, channels: channels))
    }
}

/// Rows of `source` with only `channels` kept (`Datacube.selectingChannels`).
struct ChannelSubsetStorage: DatacubeStorage {
    let source: Datacube
    let channels: [Int]

    var readsConcurrently: Bool { source.storage.readsConcurrently }
    var preferredRowMultiple: Int { source.storage.preferredRowMultiple }

    func readRows(_ rows: Range<Int>, width: Int, channels count: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let c = source.channels, pixels = rows.count * width
        var full = [Float](repeating: 0, count: pixels * c)
        try full.withUnsafeMutableBufferPointer { try source.readRows(rows, into: $0) }
        full.withUnsafeBufferPointer { src in
            channels.withUnsafeBufferPointer { keep in
                for p in 0..<pixels {
                    let from = src.baseAddress! + p * c, to = buffer.baseAddress! + p * count
                    for (j, ch) in keep.enumerated() { to[j] = from[ch] }
                }
            }
        }
    }
}
