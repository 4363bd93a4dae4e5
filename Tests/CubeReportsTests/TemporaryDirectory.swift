import Foundation

/// Runs `body` with a fresh directory, uniquely named `cubereports-<UUID>` under the temporary
/// directory ($TMPDIR, else /tmp), and removes it with its contents when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cubereports-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}
