import CHDF5
import Foundation

/// The one owner of libhdf5 calls. libhdf5 (as Debian builds it) is not thread-safe, so
/// every call in this file runs under `HDF5File.lock`; every failed call becomes a
/// `CubeFormatError` carrying the HDF5 error stack's messages.
final class HDF5File: @unchecked Sendable {  // Safe: `id` is immutable and only used under `lock`.
    static let lock = NSRecursiveLock()
    let path: String
    private let id: hid_t

    /// What a dataset holds: its path, shape (slowest dimension first) and element type.
    struct DatasetInfo: Sendable, Equatable {
        var path: String
        var shape: [Int]
        /// `float32`, `uint16`, ... or nil for non-numeric types (strings, compounds, enums such
        /// as h5py's booleans, which HDF5 does not convert to float).
        var dataType: CubeDataType?
        /// Chunk shape when chunked.
        var chunks: [Int]?
    }

    init(path: String) throws {
        self.path = path
        id = try Self.locked(path, "open") {
            _ = H5Eset_auto2(cubeseg_H5E_DEFAULT(), nil, nil)  // errors are reported through Swift, not printed
            return H5Fopen(path, cubeseg_H5F_ACC_RDONLY(), cubeseg_H5P_DEFAULT())
        }
    }

    deinit { Self.lock.withLock { _ = H5Fclose(id) } }

    /// True when `prefix` holds the HDF5 signature at offset 0 or after a user block (the
    /// superblock sits at 0, 512, 1024, 2048, ...; offsets inside `prefix` are searched).
    static func isHDF5(_ prefix: [UInt8]) -> Bool {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        return ([0] + (9..<32).map { 1 << $0 }).contains { at in
            at + 8 <= prefix.count && prefix[at..<(at + 8)].elementsEqual(signature)
        }
    }

    // MARK: - Error conversion

    /// Runs `body` under the lock; a negative result throws with the error stack's text.
    private static func locked<T: BinaryInteger>(_ file: String, _ operation: String, expected: String = "a readable HDF5 file",
                                                 _ body: () -> T) throws -> T {
        try lock.withLock {
            let result = body()
            if result < 0 { throw error(file, operation, expected: expected) }
            return result
        }
    }

    private func call<T: BinaryInteger>(_ operation: String, expected: String = "a readable HDF5 file", _ body: () -> T) throws -> T {
        try Self.locked(path, operation, expected: expected, body)
    }

    /// The current error stack as one line (caller holds the lock).
    private static func error(_ file: String, _ operation: String, expected: String = "a readable HDF5 file") -> CubeFormatError {
        final class Messages { var lines: [String] = [] }
        let messages = Messages()
        _ = cubeseg_H5Ewalk(cubeseg_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, entry, context in
            let box = Unmanaged<Messages>.fromOpaque(context!).takeUnretainedValue()
            if let desc = entry?.pointee.desc { box.lines.append(String(cString: desc).printableASCII()) }
            return 0
        }, Unmanaged.passUnretained(messages).toOpaque())
        _ = H5Eclear2(cubeseg_H5E_DEFAULT())
        let lines = messages.lines.enumerated().filter { $0.offset == 0 || messages.lines[$0.offset - 1] != $0.element }.map(\.element)
        let found = lines.isEmpty ? "an HDF5 error" : lines.joined(separator: "; ")
        return CubeFormatError(.invalidHeader, file: file, field: operation, expected: expected, found: found)
    }

    // MARK: - Objects

    /// Every dataset in the file (depth-first, at most 32 groups deep), with attributes of
    /// the group that holds it available through `stringAttribute`.
    func datasets() throws -> [DatasetInfo] {
        var out: [DatasetInfo] = []
        try walk(group: "/", depth: 0) { out.append(try datasetInfo($0)) }
        return out
    }

    /// Every group path (root included).
    func groups() throws -> [String] {
        var out = ["/"]
        try walk(group: "/", depth: 0, groups: { out.append($0) }) { _ in }
        return out
    }

    private func walk(group: String, depth: Int, groups: (String) -> Void = { _ in }, _ dataset: (String) throws -> Void) throws {
        guard depth < 32 else { return }
        let gid = try call("open group \(group)") { H5Gopen2(id, group, cubeseg_H5P_DEFAULT()) }
        defer { Self.lock.withLock { _ = H5Gclose(gid) } }
        var info = H5G_info_t()
        _ = try call("group info \(group)") { H5Gget_info(gid, &info) }
        for i in 0..<info.nlinks {
            let name: String = try Self.lock.withLock {
                let n = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, cubeseg_H5P_DEFAULT())
                guard n >= 0 else { throw Self.error(path, "link \(i) of \(group)") }
                var buffer = [CChar](repeating: 0, count: Int(n) + 1)
                _ = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(n) + 1, cubeseg_H5P_DEFAULT())
                return String(nulTerminated: buffer)
            }
            let child = group == "/" ? "/" + name : group + "/" + name
            // Soft/external links to missing targets fail to open: skip them.
            let type: H5I_type_t? = Self.lock.withLock {
                let oid = H5Oopen(gid, name, cubeseg_H5P_DEFAULT())
                guard oid >= 0 else { _ = H5Eclear2(cubeseg_H5E_DEFAULT()); return nil }
                defer { _ = H5Oclose(oid) }
                return H5Iget_type(oid)
            }
            if type == H5I_GROUP {
                groups(child)
                try walk(group: child, depth: depth + 1, groups: groups, dataset)
            } else if type == H5I_DATASET {
                try dataset(child)
            }
        }
    }

    func datasetInfo(_ dataset: String) throws -> DatasetInfo {
        let did = try call("open dataset \(dataset)", expected: "a dataset at \(dataset)") { H5Dopen2(id, dataset, cubeseg_H5P_DEFAULT()) }
        defer { Self.lock.withLock { _ = H5Dclose(did) } }
        return try Self.lock.withLock {
            let space = H5Dget_space(did), type = H5Dget_type(did), plist = H5Dget_create_plist(did)
            defer { _ = H5Sclose(space); _ = H5Tclose(type); _ = H5Pclose(plist) }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank >= 0 else { throw Self.error(path, "shape of \(dataset)") }
            var dims = [hsize_t](repeating: 0, count: rank)
            _ = H5Sget_simple_extent_dims(space, &dims, nil)
            var chunks: [Int]?
            if H5Pget_layout(plist) == H5D_CHUNKED {
                var c = [hsize_t](repeating: 0, count: max(rank, 1))
                if H5Pget_chunk(plist, Int32(rank), &c) >= 0 { chunks = c.prefix(rank).map { Int($0) } }
            }
            return DatasetInfo(path: dataset, shape: dims.map { Int($0) }, dataType: Self.cubeType(type), chunks: chunks)
        }
    }

    private static func cubeType(_ type: hid_t) -> CubeDataType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return size == 2 ? .float16 : size == 4 ? .float32 : size == 8 ? .float64 : nil
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            case 8: return signed ? .int64 : .uint64
            default: return nil
            }
        default: return nil
        }
    }

    // MARK: - Attributes

    /// The string attribute `name` of the object at `object` (a scalar or an array of
    /// strings, fixed or variable length), or nil when absent or not text.
    func stringAttribute(_ name: String, of object: String) -> [String]? {
        withAttribute(name, of: object) { aid, type, space in
            guard H5Tget_class(type) == H5T_STRING else { return nil }
            let count = max(1, Int(H5Sget_simple_extent_npoints(space)))
            guard count < 1 << 16 else { return nil }
            if H5Tis_variable_str(type) > 0 {
                let memtype = H5Tcopy(cubeseg_H5T_C_S1())
                defer { _ = H5Tclose(memtype) }
                _ = H5Tset_size(memtype, cubeseg_H5T_VARIABLE())
                _ = H5Tset_cset(memtype, H5Tget_cset(type))
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                guard H5Aread(aid, memtype, &pointers) >= 0 else { return nil }
                defer { _ = H5Dvlen_reclaim(memtype, space, cubeseg_H5P_DEFAULT(), &pointers) }
                return pointers.map { $0.map { String(cString: $0) } ?? "" }
            }
            let size = H5Tget_size(type)
            guard size > 0, size < 1 << 16 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count * size)
            guard H5Aread(aid, type, &bytes) >= 0 else { return nil }
            return (0..<count).map { i in
                let item = bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
                return String(decoding: item, as: UTF8.self).trimmingCharacters()
            }
        }
    }

    /// A numeric scalar attribute (e.g. NeXus `signal = 1`), or nil.
    func numberAttribute(_ name: String, of object: String) -> Double? {
        withAttribute(name, of: object) { aid, type, space in
            let cls = H5Tget_class(type)
            guard cls == H5T_INTEGER || cls == H5T_FLOAT, H5Sget_simple_extent_npoints(space) == 1 else { return nil }
            var value = 0.0
            guard H5Aread(aid, cubeseg_H5T_NATIVE_DOUBLE(), &value) >= 0 else { return nil }
            return value
        }
    }

    /// Opens attribute `name` of `object` under the library lock, hands `body` its handle,
    /// type and dataspace, and closes all three (and clears HDF5's error stack) afterwards.
    /// nil when the attribute is absent or cannot be opened.
    private func withAttribute<T>(_ name: String, of object: String,
                                  _ body: (_ attribute: hid_t, _ type: hid_t, _ space: hid_t) -> T?) -> T? {
        Self.lock.withLock {
            defer { _ = H5Eclear2(cubeseg_H5E_DEFAULT()) }
            guard H5Aexists_by_name(id, object, name, cubeseg_H5P_DEFAULT()) > 0 else { return nil }
            let aid = H5Aopen_by_name(id, object, name, cubeseg_H5P_DEFAULT(), cubeseg_H5P_DEFAULT())
            guard aid >= 0 else { return nil }
            defer { _ = H5Aclose(aid) }
            let type = H5Aget_type(aid), space = H5Aget_space(aid)
            defer { _ = H5Tclose(type); _ = H5Sclose(space) }
            return body(aid, type, space)
        }
    }

    // MARK: - Data

    /// A 1-D numeric dataset as Double (axis coordinates), at most `limit` values.
    func readDoubles(_ dataset: String, limit: Int = 1 << 24) throws -> [Double] {
        let info = try datasetInfo(dataset)
        let n = info.shape.reduce(1, *)
        guard info.shape.count <= 1, info.dataType != nil, n <= limit else {
            throw CubeFormatError(.unsupported, file: path, field: dataset, expected: "a 1-D numeric axis dataset",
                                  found: "shape \(info.shape), type \(info.dataType?.rawValue ?? "non-numeric")")
        }
        var values = [Double](repeating: 0, count: n)
        let did = try call("open dataset \(dataset)") { H5Dopen2(id, dataset, cubeseg_H5P_DEFAULT()) }
        defer { Self.lock.withLock { _ = H5Dclose(did) } }
        _ = try call("read \(dataset)") {
            H5Dread(did, cubeseg_H5T_NATIVE_DOUBLE(), cubeseg_H5S_ALL(), cubeseg_H5S_ALL(), cubeseg_H5P_DEFAULT(), &values)
        }
        return values
    }

    /// Throws `.unsupported` naming the filter when `dataset` is compressed (or otherwise
    /// filtered) with a filter this libhdf5 cannot decode, e.g. h5py's `lzf` or a plugin
    /// filter such as bitshuffle or Blosc that is not installed.
    func requireFilters(_ dataset: String) throws {
        let did = try call("open dataset \(dataset)", expected: "a dataset at \(dataset)") { H5Dopen2(id, dataset, cubeseg_H5P_DEFAULT()) }
        defer { Self.lock.withLock { _ = H5Dclose(did) } }
        let missing: [String] = Self.lock.withLock {
            defer { _ = H5Eclear2(cubeseg_H5E_DEFAULT()) }
            let plist = H5Dget_create_plist(did)
            defer { _ = H5Pclose(plist) }
            return (0..<max(0, H5Pget_nfilters(plist))).compactMap { index -> String? in
                var flags: UInt32 = 0, count = 0, config: UInt32 = 0
                var name = [CChar](repeating: 0, count: 256)
                let filter = H5Pget_filter2(plist, UInt32(index), &flags, &count, nil, name.count, &name, &config)
                guard filter >= 0, H5Zfilter_avail(filter) <= 0 else { return nil }
                let text = String(nulTerminated: name)
                return "\(text.isEmpty ? "unnamed filter" : "'\(text)'") (filter id \(filter))"
            }
        }
        guard missing.isEmpty else {
            throw CubeFormatError(.unsupported, file: path, field: dataset,
                                  expected: "a dataset stored uncompressed or with filters libhdf5 provides (gzip, szip, shuffle, "
                                      + "fletcher32, nbit, scaleoffset)",
                                  found: "compressed with \(missing.joined(separator: ", ")), which is not available here")
        }
    }

    /// Where a dataset's values lie in the file when they can be read with `pread` instead of
    /// `H5Dread`: a contiguous, fully allocated dataset (not chunked, compact or external) of
    /// IEEE floats or full-width integers, as (byte offset from the start of the file, user
    /// block included; stored type; byte order). nil otherwise.
    func contiguousLayout(_ dataset: String) throws -> (offset: Int, type: CubeDataType, byteOrder: ByteOrder)? {
        let did = try call("open dataset \(dataset)", expected: "a dataset at \(dataset)") { H5Dopen2(id, dataset, cubeseg_H5P_DEFAULT()) }
        defer { Self.lock.withLock { _ = H5Dclose(did) } }
        return Self.lock.withLock { () -> (offset: Int, type: CubeDataType, byteOrder: ByteOrder)? in
            defer { _ = H5Eclear2(cubeseg_H5E_DEFAULT()) }
            let plist = H5Dget_create_plist(did), type = H5Dget_type(did), space = H5Dget_space(did)
            defer { _ = H5Pclose(plist); _ = H5Tclose(type); _ = H5Sclose(space) }
            guard H5Pget_layout(plist) == H5D_CONTIGUOUS, H5Pget_external_count(plist) == 0,
                  let (stored, order) = Self.plainType(type) else { return nil }
            let offset = H5Dget_offset(did)
            let elements = Int(H5Sget_simple_extent_npoints(space))
            guard offset != cubeseg_HADDR_UNDEF(), elements > 0,
                  Int(H5Dget_storage_size(did)) == elements * stored.byteSize else { return nil }
            return (Int(offset), stored, order)
        }
    }

    /// A stored type whose bytes `ElementConversion` reads as HDF5 would convert them: IEEE
    /// float32/float64 or a full-width integer (no padding bits), little or big endian, as
    /// (type, byte order); nil otherwise (caller holds the lock).
    private static func plainType(_ type: hid_t) -> (CubeDataType, ByteOrder)? {
        guard let stored = cubeType(type) else { return nil }
        let order: ByteOrder
        switch H5Tget_order(type) {
        case H5T_ORDER_LE: order = .little
        case H5T_ORDER_BE: order = .big
        default: return nil
        }
        if H5Tget_class(type) == H5T_FLOAT {
            let ieee = stored == .float32 ? [cubeseg_H5T_IEEE_F32LE(), cubeseg_H5T_IEEE_F32BE()]
                : stored == .float64 ? [cubeseg_H5T_IEEE_F64LE(), cubeseg_H5T_IEEE_F64BE()] : []
            guard ieee.contains(where: { H5Tequal(type, $0) > 0 }) else { return nil }
        } else {
            guard H5Tget_precision(type) == 8 * H5Tget_size(type), H5Tget_offset(type) == 0 else { return nil }
        }
        return (stored, order)
    }

    /// How a chunked dataset's chunks can be decoded without libhdf5's filters: chunk shape
    /// (stored dimensions, slowest first), a plain stored type (`plainType`) and a filter
    /// pipeline of one deflate and at most one shuffle (of the type's size), in either order,
    /// with every chunk filtered (no `H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS`). nil otherwise,
    /// e.g. for fletcher32, szip, nbit, scaleoffset or plugin filters.
    func chunkedLayout(_ dataset: String) throws -> HDF5ChunkLayout? {
        let did = try call("open dataset \(dataset)", expected: "a dataset at \(dataset)") { H5Dopen2(id, dataset, cubeseg_H5P_DEFAULT()) }
        defer { Self.lock.withLock { _ = H5Dclose(did) } }
        return Self.lock.withLock { () -> HDF5ChunkLayout? in
            defer { _ = H5Eclear2(cubeseg_H5E_DEFAULT()) }
            let plist = H5Dget_create_plist(did), type = H5Dget_type(did), space = H5Dget_space(did)
            defer { _ = H5Pclose(plist); _ = H5Tclose(type); _ = H5Sclose(space) }
            guard H5Pget_layout(plist) == H5D_CHUNKED, let (stored, order) = Self.plainType(type) else { return nil }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank >= 1 else { return nil }
            var chunk = [hsize_t](repeating: 0, count: rank)
            guard H5Pget_chunk(plist, Int32(rank), &chunk) == Int32(rank), chunk.allSatisfy({ $0 > 0 }) else { return nil }
            var options: UInt32 = 0
            guard H5Pget_chunk_opts(plist, &options) >= 0, options & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS == 0 else { return nil }
            var filters: [HDF5ChunkLayout.Filter] = []
            for index in 0..<max(0, H5Pget_nfilters(plist)) {
                var flags: UInt32 = 0, count = 4, config: UInt32 = 0
                var values = [UInt32](repeating: 0, count: 4)
                var name = [CChar](repeating: 0, count: 64)
                switch H5Pget_filter2(plist, UInt32(index), &flags, &count, &values, name.count, &name, &config) {
                case H5Z_filter_t(H5Z_FILTER_DEFLATE): filters.append(.deflate)
                case H5Z_filter_t(H5Z_FILTER_SHUFFLE):
                    // libhdf5 sets the shuffle's parameter to the element size when the dataset is created.
                    guard count >= 1, Int(values[0]) == stored.byteSize else { return nil }
                    filters.append(.shuffle)
                default: return nil
                }
            }
            guard filters.filter({ $0 == .deflate }).count == 1, filters.filter({ $0 == .shuffle }).count <= 1 else { return nil }
            return HDF5ChunkLayout(chunk: chunk.map { Int($0) }, type: stored, byteOrder: order, filters: filters)
        }
    }

    /// An open dataset for repeated hyperslab reads; closes itself on deinit.
    final class Dataset: @unchecked Sendable {  // Safe: `did` is immutable and only used under `HDF5File.lock`.
        let file: HDF5File
        let path: String
        private let did: hid_t

        /// Opens `path` with a chunk cache of `cacheBytes` (so that a block of rows
        /// spanning a row of chunks is decompressed once).
        init(file: HDF5File, path: String, cacheBytes: Int) throws {
            self.file = file
            self.path = path
            did = try file.call("open dataset \(path)") {
                let dapl = H5Pcreate(cubeseg_H5P_DATASET_ACCESS())
                defer { _ = H5Pclose(dapl) }
                _ = H5Pset_chunk_cache(dapl, 12_421, cacheBytes, 1.0)
                return H5Dopen2(file.id, path, dapl)
            }
        }

        deinit { HDF5File.lock.withLock { _ = H5Dclose(did) } }

        /// The stored (filtered) size in bytes of each chunk whose first element is at `offsets`
        /// (stored dimensions), in one hold of the lock; 0 for a chunk with no storage
        /// allocated (it holds the fill value).
        func chunkStorageSizes(_ offsets: [[Int]]) throws -> [Int] {
            try HDF5File.lock.withLock {
                try offsets.map { offset in
                    let o = offset.map { hsize_t($0) }
                    var bytes: hsize_t = 0
                    guard H5Dget_chunk_storage_size(did, o, &bytes) >= 0 else {
                        throw HDF5File.error(file.path, "storage size of \(path) chunk at \(offset)")
                    }
                    return Int(bytes)
                }
            }
        }

        /// Reads the stored (still filtered) bytes of the chunk at `offset` into the buffer
        /// `reserve(size)` returns (at least `size` bytes), under the lock, with
        /// `H5Dread_chunk`. Returns the byte count and the chunk's filter mask (bit i set:
        /// filter i of the pipeline was skipped), or nil when no storage is allocated.
        func readRawChunk(at offset: [Int], reserve: (Int) -> UnsafeMutableRawPointer) throws -> (bytes: Int, filterMask: UInt32)? {
            try HDF5File.lock.withLock {
                let o = offset.map { hsize_t($0) }
                var bytes: hsize_t = 0
                guard H5Dget_chunk_storage_size(did, o, &bytes) >= 0 else {
                    throw HDF5File.error(file.path, "storage size of \(path) chunk at \(offset)")
                }
                guard bytes > 0 else { return nil }
                var mask: UInt32 = 0
                guard H5Dread_chunk(did, cubeseg_H5P_DEFAULT(), o, &mask, reserve(Int(bytes))) >= 0 else {
                    throw HDF5File.error(file.path, "raw read of \(path) chunk at \(offset)")
                }
                return (Int(bytes), mask)
            }
        }

        /// Reads the hyperslab `start`/`count` (stored dimension order) as native Float32,
        /// row major in that order, into `destination`; HDF5 converts the stored type.
        func readFloats(start: [Int], count: [Int], into destination: UnsafeMutablePointer<Float>) throws {
            try HDF5File.lock.withLock {
                let fileSpace = H5Dget_space(did)
                let s = start.map { hsize_t($0) }, c = count.map { hsize_t($0) }
                let memSpace = H5Screate_simple(Int32(c.count), c, nil)
                var status = H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, s, nil, c, nil)
                if status >= 0 {
                    status = H5Dread(did, cubeseg_H5T_NATIVE_FLOAT(), memSpace, fileSpace, cubeseg_H5P_DEFAULT(), destination)
                }
                // Taken before closing: every HDF5 API call starts by clearing the error stack.
                let failure = status < 0 ? HDF5File.error(file.path, "read \(path) at \(start) size \(count)") : nil
                _ = H5Sclose(memSpace)
                _ = H5Sclose(fileSpace)
                if let failure { throw failure }
            }
        }
    }
}
