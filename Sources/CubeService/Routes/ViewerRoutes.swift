import Foundation

/// The browser viewer: `GET /` is `viewer/index.html`, `GET /viewer/{file}` any file of the
/// `viewer/` resource folder. Public: the page holds no data; its API calls carry the token
/// the user enters.
extension CubeSegService {
    /// Content types by file extension; a file with another extension is not served.
    static let viewerContentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json",
    ]

    /// The page runs only its own scripts and talks only to this server: a name or an error
    /// text shown in it cannot load or run anything else, and no other site can frame it.
    static let viewerSecurityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    func viewerFile(_ name: String) throws -> HTTPResponse {
        let ext = (name as NSString).pathExtension.lowercased()
        // One path segment of plain characters: never a way out of the folder.
        guard !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"),
              let type = Self.viewerContentTypes[ext], let data = ServiceResources.data("viewer/\(name)") else {
            throw APIError.notFound("file_not_found", "the viewer has no file \"\(name)\"")
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", type), ("Cache-Control", "no-cache")] + Self.viewerSecurityHeaders,
                            body: .data(data))
    }
}
