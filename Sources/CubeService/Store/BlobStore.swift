import Foundation

/// Big payloads of the service, in a directory on a local file system:
///
/// - `cubes/<cube id>/<file>`: an uploaded cube as received (plus `preview.png` once drawn);
/// - `results/<result id>/<file>`: the result files of one successful run of a job;
/// - `models/<model id>.json`: trained models.
///
/// Every write lands under a temporary name, is fsynced, then renamed into place, so a
/// reader (or a restart) never sees half a file. Never put it on a network file system.
public struct BlobStore: Sendable {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        for sub in ["cubes", "results", "models", "tmp"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    /// Where temporary files and directories go (same file system, so renames are atomic).
    public var temporaryDirectory: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    public func url(relative path: String) -> URL { root.appendingPathComponent(path) }

    public func cubeDirectory(_ cubeID: String) -> URL { root.appendingPathComponent("cubes/\(cubeID)", isDirectory: true) }
    public func resultDirectory(_ resultID: String) -> URL { root.appendingPathComponent("results/\(resultID)", isDirectory: true) }
    public func modelURL(_ modelID: String) -> URL { root.appendingPathComponent("models/\(modelID).json") }

    // MARK: - The layout, by what is stored (nobody else spells these paths)

    /// Where a cube's file `name` goes, relative to the root (what `CubeRecord.blobPath` holds).
    public func cubeFile(_ cubeID: String, _ name: String) -> String { "cubes/\(cubeID)/\(name)" }

    /// Stores one file of a cube: in-memory bytes written atomically, or an upload moved in.
    /// Returns its relative path.
    @discardableResult
    public func storeCubeFile(_ cubeID: String, _ name: String, _ content: BlobContent) throws -> String {
        let relative = cubeFile(cubeID, name)
        switch content {
        case .data(let data): try write(data, to: relative)
        case .file(let url): try adopt(file: url, as: relative)
        }
        return relative
    }

    /// Removes a cube's files (and its preview).
    public func removeCube(_ cubeID: String) { remove(cubeDirectory(cubeID)) }

    /// The cube's drawn preview.
    public func previewURL(_ cubeID: String) -> URL { cubeDirectory(cubeID).appendingPathComponent("preview.png") }
    public func writePreview(_ png: Data, cubeID: String) throws { try write(png, to: cubeFile(cubeID, "preview.png")) }

    public func removeResult(_ resultID: String) { remove(resultDirectory(resultID)) }

    public func writeModel(_ json: Data, modelID: String) throws { try write(json, to: "models/\(modelID).json") }
    public func removeModel(_ modelID: String) { remove(modelURL(modelID)) }

    /// Moves a complete file (an upload) to `relative`, fsyncing it and the directory.
    /// Returns the path relative to the root.
    @discardableResult
    public func adopt(file: URL, as relative: String) throws -> String {
        let dest = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.fsync(file)
        if rename(file.path, dest.path) != 0 {
            // Another file system (a test's temp dir): copy under a temporary name, then rename.
            let tmp = temporaryDirectory.appendingPathComponent(UUID().uuidString)
            do {
                try FileManager.default.copyItem(at: file, to: tmp)
                try Self.fsync(tmp)
                try Self.renameOrThrow(tmp, dest)
            } catch {
                try? FileManager.default.removeItem(at: tmp)
                throw error
            }
            try? FileManager.default.removeItem(at: file)
        }
        try Self.fsync(dest.deletingLastPathComponent())
        return relative
    }

    /// Writes `data` atomically to `relative`.
    public func write(_ data: Data, to relative: String) throws {
        try Self.writeAtomically(data, to: root.appendingPathComponent(relative), tmpDir: temporaryDirectory)
    }

    /// Writes a directory atomically: `fill` writes into a fresh temporary directory, whose
    /// files are then fsynced and which is renamed to `destination` (which must not exist).
    public func writeDirectory(to destination: URL, _ fill: (URL) throws -> Void) throws {
        let tmp = temporaryDirectory.appendingPathComponent("dir-" + UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        do {
            try fill(tmp)
            for name in try FileManager.default.contentsOfDirectory(atPath: tmp.path) {
                try Self.fsync(tmp.appendingPathComponent(name))
            }
            try Self.fsync(tmp)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Self.renameOrThrow(tmp, destination)
            try Self.fsync(destination.deletingLastPathComponent())
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Removes `relative` (a file or a directory); missing is fine.
    public func remove(relative: String) {
        try? FileManager.default.removeItem(at: root.appendingPathComponent(relative))
    }

    public func remove(_ url: URL) { try? FileManager.default.removeItem(at: url) }

    /// Clears leftovers of writes interrupted by a crash.
    /// `olderThan`: only entries last modified before it (other processes of a cluster may be
    /// writing the younger ones); nil: all.
    public func sweepTemporary(olderThan cutoff: Date? = nil) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: temporaryDirectory.path)) ?? [] {
            let url = temporaryDirectory.appendingPathComponent(name)
            if Self.isOlder(url, than: cutoff) { try? fm.removeItem(at: url) }
        }
    }

    /// True when `cutoff` is nil or `url` was last modified before it.
    static func isOlder(_ url: URL, than cutoff: Date?) -> Bool {
        guard let cutoff else { return true }
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date else { return false }
        return modified < cutoff
    }

    /// Removes the blobs no row refers to, left by a crash between writing a blob and
    /// committing its row. Only while nothing else writes (at start, before the workers and
    /// the HTTP front), or, in a cluster where other processes write, with `olderThan` well
    /// before any write still in flight (read `references` before listing). Returns the
    /// relative paths removed.
    @discardableResult
    public func sweepOrphans(keeping references: BlobReferences, olderThan cutoff: Date? = nil) -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        func sweep(_ folder: String, id: (String) -> String?, keep: Set<String>) {
            for name in (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? [] {
                guard let key = id(name), !keep.contains(key) else { continue }
                let relative = "\(folder)/\(name)"
                guard Self.isOlder(root.appendingPathComponent(relative), than: cutoff) else { continue }
                if (try? fm.removeItem(at: root.appendingPathComponent(relative))) != nil { removed.append(relative) }
            }
        }
        sweep("cubes", id: { $0 }, keep: references.cubes)
        sweep("results", id: { $0 }, keep: references.results)
        sweep("models", id: { $0.hasSuffix(".json") ? String($0.dropLast(5)) : $0 }, keep: references.models)
        return removed.sorted()
    }

    // MARK: - File system primitives

    static func writeAtomically(_ data: Data, to dest: URL, tmpDir: URL) throws {
        try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = tmpDir.appendingPathComponent("file-" + UUID().uuidString)
        do {
            try data.write(to: tmp)
            try fsync(tmp)
            try renameOrThrow(tmp, dest)
            try fsync(dest.deletingLastPathComponent())
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    static func renameOrThrow(_ from: URL, _ to: URL) throws {
        if rename(from.path, to.path) != 0 {
            throw BlobStoreError.io(operation: "rename \(from.lastPathComponent) -> \(to.path)", errno: errno)
        }
    }

    /// fsync of a file or a directory (its entries).
    static func fsync(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open \(url.path)", errno: errno) }
        defer { close(fd) }
        #if canImport(Glibc)
        let r = Glibc.fsync(fd)
        #else
        let r = Darwin.fsync(fd)
        #endif
        if r != 0 { throw BlobStoreError.io(operation: "fsync \(url.path)", errno: errno) }
    }
}

/// The bytes of a blob to store: in memory, or a complete file to move in.
public enum BlobContent: Sendable {
    case data(Data)
    case file(URL)
}

public enum BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case io(operation: String, errno: Int32)
    public var description: String {
        switch self {
        case let .io(op, e): return "\(op) failed: \(String(cString: strerror(e)))"
        }
    }
}
