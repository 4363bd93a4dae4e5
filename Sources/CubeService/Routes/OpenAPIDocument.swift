import Foundation

/// `openapi.yaml`, served at `GET /openapi.yaml`: one of the `ServiceResources` (the
/// repository root's `openapi.yaml` is a symbolic link to it). Never traps when it is missing.
enum OpenAPIDocument {
    static let text: String = {
        if let env = ProcessInfo.processInfo.environment["CUBESEG_OPENAPI"],
           let s = try? String(contentsOf: URL(fileURLWithPath: env), encoding: .utf8) { return s }
        if let data = ServiceResources.data("openapi.yaml"), let s = String(data: data, encoding: .utf8) { return s }
        return "openapi: 3.1.0\ninfo: {title: CubeSeg, version: unknown, description: openapi.yaml was not found next to the executable}\npaths: {}\n"
    }()
}
