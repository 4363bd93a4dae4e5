import Foundation

/// A request body (or multipart file part) that was streamed to disk: complete, fsynced and
/// hashed. The responder takes it over with `FileManager.moveItem`; a file still at `url`
/// after the response was sent is deleted by the server.
public struct StreamedFile: Sendable {
    /// Location in the configured upload directory (`<uuid>.upload`).
    public let url: URL
    /// Size in bytes.
    public let size: Int64
    /// SHA-256 of the content, lowercase hex (64 characters).
    public let sha256Hex: String

    public init(url: URL, size: Int64, sha256Hex: String) {
        self.url = url
        self.size = size
        self.sha256Hex = sha256Hex
    }
}
