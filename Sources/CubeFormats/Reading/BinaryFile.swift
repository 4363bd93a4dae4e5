#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A read-only file read with `pread` at explicit offsets, so one open file serves several
/// threads without a shared position. Owns its descriptor and closes it on deinit.
final class BinaryFile: Sendable {
    let path: String
    /// File size in bytes at open time.
    let size: Int
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CubeFormatError(.io, file: path, field: "file", expected: "a readable file",
                                  found: String(cString: strerror(errno)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CubeFormatError(.io, file: path, field: "file", expected: "a regular file", found: "not a regular file")
        }
        descriptor = fd
        size = Int(st.st_size)
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    deinit { close(descriptor) }

    /// Reads exactly `count` bytes at `offset` into `buffer`, or throws (short file, I/O error).
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let n = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw CubeFormatError(.io, file: path, field: "data", expected: "\(count) readable bytes at offset \(offset)",
                                      found: String(cString: strerror(errno)))
            }
            if n == 0 {
                throw CubeFormatError(.sizeMismatch, file: path, field: "data",
                                      expected: "\(count) bytes at offset \(offset)",
                                      found: "end of file after \(done) bytes (file truncated while reading?)")
            }
            done += n
        }
    }

    /// The first `count` bytes (fewer if the file is shorter).
    func prefix(_ count: Int) throws -> [UInt8] {
        let n = min(count, size)
        var bytes = [UInt8](repeating: 0, count: n)
        try bytes.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: n, at: 0) }
        return bytes
    }
}
