import Foundation
import CubeReports
#if canImport(Glibc)
import Glibc
#endif

/// What a client may learn of the server's file system: nothing. Error text from the
/// readers, the blob store and the C libraries names files by their absolute server path;
/// `redacted` keeps only the file's own name, so that a 415, a 422, a 500 or a job's `error`
/// says "cube.bin: not a FITS file" and never where the data directory is.
public enum ServerPaths {
    /// `text` with every absolute path of this machine's file system (a token starting with
    /// `/` whose first component is a top-level directory here) replaced by its last
    /// component. API paths (`/v1/jobs`) are left alone: `/v1` is no directory here.
    public static func redacted(_ text: String) -> String {
        guard text.contains("/") else { return text }
        var out = ""
        var rest = Substring(text)
        while let slash = rest.firstIndex(of: "/") {
            let before = rest[..<slash]
            // A path starts a token: at the start, or after a space, quote, bracket, `=` or `:`.
            let starts = before.isEmpty || " \t\n'\"`([{<=:,".contains(before.last!)
            var end = slash
            while end < rest.endIndex, !" \t\n'\"`)]}>,;".contains(rest[end]) { end = rest.index(after: end) }
            var token = rest[slash..<end]
            // Trailing punctuation belongs to the sentence ("... cube.bin: bad", "... file.").
            while let last = token.last, ":.".contains(last) { token = token.dropLast() }
            out += before
            if starts, isServerPath(token) {
                out += token.split(separator: "/").last.map(String.init) ?? "(a server file)"
            } else {
                out += token
            }
            rest = rest[token.endIndex...]
        }
        return out + rest
    }

    private static func isServerPath(_ token: Substring) -> Bool {
        let components = token.split(separator: "/")
        guard components.count >= 2, let first = components.first else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "/" + first, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// True when `error` comes from a file system with no room left (ENOSPC, EDQUOT): the
    /// request or the job may succeed later, so it is answered 507 or retried, never failed
    /// for good.
    public static func isOutOfSpace(_ error: any Error) -> Bool {
        let codes: Set<Int32> = [ENOSPC, EDQUOT]
        switch error {
        case let e as BlobStoreError:
            if case let .io(_, code) = e { return codes.contains(code) }
        case let e as ResultFilesError:
            if case let .io(_, _, code, _) = e { return codes.contains(code) }
        case let e as HTTPServerError:
            if case let .bodyWriteFailed(_, code) = e { return codes.contains(code) }
        default:
            break
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain, codes.contains(Int32(ns.code)) { return true }
        if ns.domain == NSCocoaErrorDomain, ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return true }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying !== ns {
            return isOutOfSpace(underlying)
        }
        return String(describing: error).contains(String(cString: strerror(ENOSPC)))
    }
}
