import CMicroHTTPD
import Foundation

/// Failures of the HTTP front, each with the values that explain it. Also the one place where
/// libmicrohttpd results are turned into Swift errors.
public enum HTTPServerError: Error, CustomStringConvertible, Sendable {
    /// A configuration value outside its valid range.
    case invalidConfiguration(field: String, value: String, reason: String)
    /// `host` could not be turned into a socket address.
    case unresolvableHost(host: String, reason: String)
    /// The upload directory could not be created or written.
    case uploadDirectoryUnusable(path: String, reason: String)
    /// TLS was configured but this libmicrohttpd was built without it.
    case tlsUnsupported
    /// MHD_start_daemon returned NULL (address in use, bad certificate, ...); `errno` as left.
    case daemonStartFailed(host: String, port: Int, tls: Bool, errno: Int32)
    /// `start()` called twice.
    case alreadyStarted
    /// Writing a streamed body failed.
    case bodyWriteFailed(path: String, errno: Int32)
    /// A multipart body could not be parsed.
    case malformedMultipart(reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let value, let reason):
            return "invalid HTTP configuration \(field)=\(value): \(reason)"
        case .unresolvableHost(let host, let reason):
            return "cannot resolve listen host '\(host)': \(reason)"
        case .uploadDirectoryUnusable(let path, let reason):
            return "upload directory \(path) is unusable: \(reason)"
        case .tlsUnsupported:
            return "TLS is configured but libmicrohttpd was built without TLS support"
        case .daemonStartFailed(let host, let port, let tls, let code):
            return "libmicrohttpd could not start on \(host):\(port)\(tls ? " with TLS" : ""): "
                + "\(String(cString: strerror(code))) (errno \(code))"
        case .alreadyStarted:
            return "the HTTP server is already started"
        case .bodyWriteFailed(let path, let code):
            return "writing request body to \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .malformedMultipart(let reason):
            return "malformed multipart/form-data body: \(reason)"
        }
    }

    /// The error as a problem response; never with a server path (the log has it).
    var problem: ProblemDetails {
        switch self {
        case .malformedMultipart(let reason):
            return ProblemDetails(status: 400, code: "malformed_multipart", title: "Bad Request", detail: reason)
        case .bodyWriteFailed(_, let code) where code == ENOSPC || code == EDQUOT:
            return .insufficientStorage("The server has no room left for this body; retry later.")
        case .bodyWriteFailed(_, let code):
            return ProblemDetails(status: 500, code: "internal_error", title: "Internal Server Error",
                                  detail: "Storing the request body failed on the server (\(String(cString: strerror(code)))).")
        default:
            return ProblemDetails(status: 500, code: "internal_error", title: "Internal Server Error",
                                  detail: description)
        }
    }

    /// Throws `.tlsUnsupported` when libmicrohttpd lacks TLS.
    static func checkTLSSupport() throws {
        guard MHD_is_feature_supported(.FEATURE_TLS) == .YES else { throw HTTPServerError.tlsUnsupported }
    }

    /// The daemon handle, or `.daemonStartFailed` with the errno MHD_start_daemon left.
    static func checkStarted(_ daemon: OpaquePointer?, host: String, port: Int, tls: Bool) throws -> OpaquePointer {
        guard let daemon else { throw HTTPServerError.daemonStartFailed(host: host, port: port, tls: tls, errno: errno) }
        return daemon
    }
}
