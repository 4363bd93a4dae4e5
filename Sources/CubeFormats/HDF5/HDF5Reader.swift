import Foundation

/// Opens HDF5 cubes through libhdf5: the dataset at `options.dataset`, else the signal of
/// a NeXus `NXdata` group (`@signal`, `@axes`), else HyperSpy's signal (`.hspy`,
/// `HyperSpyLayout`, with its calibrated axis), else the only 3-D numeric dataset.
/// Stored dimensions are (rows, cols, channels) unless `axisOrder` says otherwise. A
/// contiguous dataset of plain IEEE floats or integers is read straight from the file with
/// `pread` (as npy or ENVI are: no library lock, so concurrent jobs do not queue behind each
/// other); gzip-chunked ones (deflate, optionally shuffle) by reading each chunk's stored
/// bytes under the lock and decoding them in parallel outside it (`HDF5ChunkStorage`); other
/// chunked and compressed datasets, and unusual types, through `H5Dread` and HDF5's own
/// conversion.
enum HDF5Reader {
    static func open(_ url: URL, dataset requested: String?, axisOrder: AxisOrder?) throws -> Datacube {
        let file = try HDF5File(path: url.path)
        var nexus: (group: String, axes: [String])?
        let info: HDF5File.DatasetInfo
        if let requested {
            let path = requested.hasPrefix("/") ? requested : "/" + requested
            info = try file.datasetInfo(path)
            let group = (path as NSString).deletingLastPathComponent
            if file.stringAttribute("NX_class", of: group)?.first == "NXdata" {
                nexus = (group, file.stringAttribute("axes", of: group) ?? [])
            }
        } else {
            if let found = try nexusSignal(file) {
                info = try file.datasetInfo(found.signal)
                nexus = (found.group, found.axes)
            } else if let signal = try HyperSpyLayout.signal(file) {
                info = try file.datasetInfo(signal)
            } else {
                let all = try file.datasets()
                let cubes = all.filter { $0.shape.count == 3 && $0.dataType != nil }
                guard cubes.count == 1 else {
                    let list = all.map { "\($0.path) \($0.shape) \($0.dataType?.rawValue ?? "non-numeric")" }
                    throw CubeFormatError(cubes.isEmpty ? .unsupported : .invalidHeader, file: url.path, field: "dataset",
                                          expected: "exactly one 3-D numeric dataset, or a dataset path",
                                          found: cubes.isEmpty ? "none among [\(list.joined(separator: ", "))]"
                                              : "\(cubes.count): \(cubes.map(\.path).joined(separator: ", "))")
                }
                info = cubes[0]
            }
        }
        guard let type = info.dataType else {
            throw CubeFormatError(.unsupported, file: url.path, field: info.path, expected: "a numeric dataset", found: "a non-numeric type")
        }
        try file.requireFilters(info.path)
        guard info.shape.count == 3 else {
            throw CubeFormatError(.unsupported, file: url.path, field: info.path, expected: "a 3-D dataset (height, width, channels)",
                                  found: "\(info.shape.count)-D shape \(info.shape)")
        }
        let hyperspy = nexus == nil ? HyperSpyLayout.calibration(file, dataset: info.path, shape: info.shape) : nil
        let order = axisOrder ?? nexus.flatMap { nexusOrder(file, group: $0.group, axes: $0.axes) } ?? hyperspy?.order ?? .yxc
        let cubeAxes = order.cubeAxes
        var size = [0, 0, 0]
        for (axis, n) in zip(cubeAxes, info.shape) { size[axis] = n }
        try CubeGeometry.validate(height: size[0], width: size[1], channels: size[2], type: type,
                                  file: url.path, field: "shape of \(info.path)")
        // Spectral axis: the NeXus axis dataset of the channel dimension, with its @units.
        var axis: SpectralAxis?
        let channelDim = cubeAxes.firstIndex(of: 2)!
        if let nexus, channelDim < nexus.axes.count, nexus.axes[channelDim] != "." {
            let axisPath = nexus.group + "/" + nexus.axes[channelDim]
            if let values = try? file.readDoubles(axisPath), values.count == size[2] {
                axis = SpectralUnitName.axis(values: values, unitName: file.stringAttribute("units", of: axisPath)?.first)
            }
        }
        if axis == nil, let hyperspy, hyperspy.order == order { axis = hyperspy.axis }
        // A chunk cache big enough for one row of chunks along y (capped at 256 MiB).
        var cache = 16 << 20
        if let chunks = info.chunks {
            let yDim = cubeAxes.firstIndex(of: 0)!
            var rowOfChunks = type.byteSize
            for d in 0..<3 { rowOfChunks *= d == yDim ? chunks[d] : info.shape[d] }
            cache = min(256 << 20, max(cache, rowOfChunks + rowOfChunks / 8))
        }
        var details = ["dataset": info.path, "axisOrder": order.rawValue]
        let storage: any DatacubeStorage
        if let direct = try file.contiguousLayout(info.path),
           let data = try? BinaryFile(path: url.path), data.size >= direct.offset + size.reduce(direct.type.byteSize, *) {
            // Contiguous: plain bytes at a known offset, read like any dense file (no library lock).
            storage = DenseFileStorage(file: data, offset: direct.offset, type: direct.type, byteOrder: direct.byteOrder,
                                       height: size[0], width: size[1], channels: size[2], order: order)
            details["read"] = "direct"
        } else {
            let chunkRows = info.chunks.map { $0[cubeAxes.firstIndex(of: 0)!] } ?? 1
            let library = HDF5Storage(dataset: try HDF5File.Dataset(file: file, path: info.path, cacheBytes: cache),
                                      shape: info.shape, axes: cubeAxes, chunkRows: chunkRows)
            if let layout = try file.chunkedLayout(info.path) {
                // gzip (and shuffle) chunks: decoded here in parallel, outside the library lock.
                storage = HDF5ChunkStorage(layout: layout, fallback: library)
                details["read"] = "chunks"
            } else {
                storage = library
                details["read"] = "hdf5"
            }
        }
        if let chunks = info.chunks { details["chunks"] = "\(chunks)" }
        if let nexus { details["nexus"] = nexus.group }
        if hyperspy != nil { details["hyperspy"] = (info.path as NSString).deletingLastPathComponent }
        let sourceInfo = SourceInfo(format: CubeFormat.hdf5.rawValue, dataType: type.rawValue, path: url.path, details: details)
        return Datacube(height: size[0], width: size[1], channels: size[2], axis: axis, info: sourceInfo, storage: storage)
    }

    /// The stored order a NeXus `@axes` list implies: the one axis whose `@units` is an
    /// energy, wavelength, frequency or velocity is the channel axis; the other two are
    /// (rows, cols) in stored order. Nil when that is not unambiguous.
    static func nexusOrder(_ file: HDF5File, group: String, axes: [String]) -> AxisOrder? {
        guard axes.count == 3 else { return nil }
        let spectral = axes.indices.filter { d in
            guard axes[d] != ".", let units = file.stringAttribute("units", of: group + "/" + axes[d])?.first,
                  let parsed = SpectralUnitName.parse(units) else { return false }
            return [.energy, .wavelength, .frequency, .velocity].contains(parsed.quantity)
        }
        guard spectral.count == 1 else { return nil }
        return [AxisOrder.cyx, .ycx, .yxc][spectral[0]]
    }

    /// The first NXdata group whose `@signal` names a 3-D dataset: (group, signal path, axes).
    static func nexusSignal(_ file: HDF5File) throws -> (group: String, signal: String, axes: [String])? {
        for group in try file.groups() where file.stringAttribute("NX_class", of: group)?.first == "NXdata" {
            guard let signal = file.stringAttribute("signal", of: group)?.first else { continue }
            let path = (group == "/" ? "" : group) + "/" + signal
            guard let info = try? file.datasetInfo(path), info.shape.count == 3 else { continue }
            var axes = file.stringAttribute("axes", of: group) ?? []
            if axes.count == 1, axes[0].contains(":") { axes = axes[0].split(separator: ":").map(String.init) }  // old NeXus "y:x:e"
            return (group == "/" ? "" : group, path, axes)
        }
        return nil
    }
}

/// Reads row blocks of an HDF5 dataset as hyperslabs: straight into the destination when
/// the stored order is (rows, cols, channels), else through a scratch buffer and a
/// permutation into pixel-major order.
struct HDF5Storage: DatacubeStorage {
    let dataset: HDF5File.Dataset
    /// Stored shape, slowest dimension first.
    let shape: [Int]
    /// Cube axis of each stored dimension (0 = y, 1 = x, 2 = c).
    let axes: [Int]
    /// Chunk height in image rows (1 when not chunked): reads of whole rows of chunks find
    /// each chunk in the chunk cache once.
    var chunkRows = 1

    var preferredRowMultiple: Int { chunkRows }

    func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let start = axes.map { $0 == 0 ? rows.lowerBound : 0 }
        let count = (0..<3).map { axes[$0] == 0 ? rows.count : shape[$0] }
        let dst = buffer.baseAddress!
        if axes == [0, 1, 2] {
            try dataset.readFloats(start: start, count: count, into: dst)
            return
        }
        let n = count.reduce(1, *)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { scratch.deallocate() }
        try dataset.readFloats(start: start, count: count, into: scratch)
        let cubeStride = [width * channels, channels, 1]
        let t = axes.map { cubeStride[$0] }
        var k = 0
        for i0 in 0..<count[0] {
            for i1 in 0..<count[1] {
                let base = i0 * t[0] + i1 * t[1]
                for i2 in 0..<count[2] {
                    dst[base + i2 * t[2]] = scratch[k]
                    k += 1
                }
            }
        }
    }
}
