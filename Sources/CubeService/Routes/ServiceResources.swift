import Foundation

/// The files shipped with the service (`Sources/CubeService/Resources`: `openapi.yaml`,
/// `viewer/`), looked up in order: the `CUBESEG_RESOURCES` environment variable (a folder),
/// SwiftPM's resource folder next to the executable (`CubeSeg_CubeService.resources/`, which
/// a deployment copies along with the binary), the source tree this was built from.
enum ServiceResources {
    static let folderName = "CubeSeg_CubeService.resources"

    /// The folders searched, in order.
    static let folders: [URL] = {
        var folders: [URL] = []
        if let env = ProcessInfo.processInfo.environment["CUBESEG_RESOURCES"] { folders.append(URL(fileURLWithPath: env)) }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            folders.append(exe.appendingPathComponent(folderName))
        }
        folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources"))
        return folders
    }()

    /// The bytes of `relativePath` (e.g. "viewer/index.html") from the first folder that has
    /// it; nil when none has. Read on each call: the files are small and the page cache
    /// keeps them.
    static func data(_ relativePath: String) -> Data? {
        for folder in folders {
            if let data = try? Data(contentsOf: folder.appendingPathComponent(relativePath)) { return data }
        }
        return nil
    }
}
