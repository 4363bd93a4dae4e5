import Foundation

/// `openapi.yaml` (the repository root's, copied into the target's resources), served at
/// `GET /openapi.yaml`.
enum OpenAPIDocument {
    static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let s = try? String(contentsOf: url, encoding: .utf8) else { return "openapi: 3.1.0\n" }
        return s
    }()
}
