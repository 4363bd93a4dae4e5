import Foundation

/// Writes a set of files into a directory so that no reader ever sees a partial file: each
/// file goes to a hidden temporary name (`.<name>.tmp-<pid>-<uuid>`), is fsynced, and only
/// when every file is on disk are they renamed to their names; then the directory itself is
/// fsynced so the renames survive a crash. Each file is replaced atomically (a reader sees the
/// old or the new bytes, never a mix); the set is not: if a rename fails midway, the files
/// renamed before it are new and the rest are as they were. On failure every temporary is
/// removed.
public enum AtomicDirectoryWriter {
    /// Writes `files` (plain name -> bytes) into `directory`, creating it if needed. Names
    /// must be plain (no "/", not starting with "."). Returns the final URLs, sorted by name.
    public static func write(_ files: [String: Data], to directory: URL) throws -> [URL] {
        for name in files.keys where name.isEmpty || name.hasPrefix(".") || name.contains("/") || name.contains("\0") {
            throw ResultFilesError.invalidFileName(name)
        }
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        catch { throw ResultFilesError.io(operation: "create directory", path: directory.path, errno: 0, message: "\(error)") }

        let names = files.keys.sorted()
        var temporaries: [String: URL] = [:]
        do {
            for name in names {
                let temporary = directory.appendingPathComponent(".\(name).tmp-\(getpid())-\(UUID().uuidString)")
                temporaries[name] = temporary
                try writeAndSync(files[name]!, to: temporary.path)
            }
            for name in names {
                let target = directory.appendingPathComponent(name)
                guard rename(temporaries[name]!.path, target.path) == 0 else { throw posixError("rename to", target.path) }
                temporaries[name] = nil
            }
            try syncDirectory(directory.path)
        } catch {
            for url in temporaries.values { unlink(url.path) }
            throw error
        }
        return names.map { directory.appendingPathComponent($0) }
    }

    private static func posixError(_ operation: String, _ path: String) -> ResultFilesError {
        let code = errno
        return .io(operation: operation, path: path, errno: code, message: String(cString: strerror(code)))
    }

    private static func writeAndSync(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError("create", path) }
        defer { close(fd) }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError("write", path)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw posixError("fsync", path) }
    }

    private static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("fsync directory", path) }
    }
}
