import CMicroHTTPD
import Foundation

/// Turns an `HTTPResponse` into a libmicrohttpd response and queues it on a connection.
enum MHDResponse {
    /// Queues `response` on `connection`; returns whether MHD accepted it and the body size.
    /// Data is copied (.RESPMEM_MUST_COPY); files are sent from their descriptor
    /// (MHD_create_response_from_fd64, closed by MHD). A file that cannot be opened is answered
    /// with a 500 problem instead.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> (accepted: Bool, status: Int, bytes: Int64) {
        var contentType = response.header("Content-Type")
        let made: (OpaquePointer?, Int64)
        switch response.body {
        case .empty:
            made = (MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT), 0)
        case .data(let data):
            made = data.withUnsafeBytes { bytes in
                (MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                                 .RESPMEM_MUST_COPY), Int64(bytes.count))
            }
        case .file(let url, let type):
            let fd = open(url.path, O_RDONLY | O_CLOEXEC)
            var info = stat()
            guard fd >= 0, fstat(fd, &info) == 0 else {
                let code = errno
                if fd >= 0 { close(fd) }
                let problem = ProblemDetails(status: 500, code: "file_unreadable", title: "Internal Server Error",
                                             detail: "\(url.lastPathComponent) cannot be read: \(String(cString: strerror(code)))")
                return queue(.problem(problem), on: connection)
            }
            let pointer = MHD_create_response_from_fd64(UInt64(info.st_size), fd)
            if pointer == nil { close(fd) }
            made = (pointer, Int64(info.st_size))
            if contentType == nil { contentType = type }
        }
        guard let mhdResponse = made.0 else { return (false, response.status, 0) }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers {
            _ = MHD_add_response_header(mhdResponse, name, value)
        }
        if response.header("Content-Type") == nil {
            _ = MHD_add_response_header(mhdResponse, "Content-Type", contentType ?? "application/octet-stream")
        }
        let accepted = MHD_queue_response(connection, UInt32(response.status), mhdResponse) == .YES
        return (accepted, response.status, made.1)
    }
}
