import Foundation

/// What a response sends after its headers.
public enum ResponseBody: Sendable {
    /// No content (Content-Length: 0).
    case empty
    /// Bytes copied into the response (JSON, small files).
    case data(Data)
    /// A file sent from disk without loading it (MHD_create_response_from_fd64), with its media
    /// type. A file that cannot be opened turns the response into a 500 problem.
    case file(URL, contentType: String)
}
