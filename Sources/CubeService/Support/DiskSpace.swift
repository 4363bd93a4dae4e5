import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free space of the file system that holds a directory, from `statvfs`.
enum DiskSpace {
    /// Bytes an unprivileged process may still write there (`f_bavail * f_frsize`); nil when
    /// the directory cannot be examined.
    static func available(at directory: URL) -> Int64? {
        var s = statvfs()
        guard statvfs(directory.path, &s) == 0 else { return nil }
        return Int64(s.f_bavail) * Int64(s.f_frsize)
    }
}
