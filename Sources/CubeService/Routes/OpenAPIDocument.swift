import Foundation

/// `openapi.yaml`, served at `GET /openapi.yaml`. The file lives in the target's resources
/// (the repository root's `openapi.yaml` is a symbolic link to it). Looked up, in order: the
/// `CUBESEG_OPENAPI` environment variable, SwiftPM's resource directory next to the
/// executable (`CubeSeg_CubeService.resources/`, which a deployment copies along with the
/// binary), the source tree this was built from. Never traps when it is missing.
enum OpenAPIDocument {
    static let text: String = {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["CUBESEG_OPENAPI"] { candidates.append(URL(fileURLWithPath: env)) }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            candidates.append(exe.appendingPathComponent("CubeSeg_CubeService.resources/openapi.yaml"))
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/openapi.yaml"))
        for url in candidates {
            if let s = try? String(contentsOf: url, encoding: .utf8) { return s }
        }
        return "openapi: 3.1.0\ninfo: {title: CubeSeg, version: unknown, description: openapi.yaml was not found next to the executable}\npaths: {}\n"
    }()
}
