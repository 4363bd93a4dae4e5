import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over a POSIX socket, so tests control every byte sent
/// (chunked bodies, bodies cut short, requests that never send their body).
final class HTTPTestClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data
        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
    }

    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    private var fd: Int32
    private var pending = Data()

    /// Connects to 127.0.0.1:`port`; reads time out after `timeout` seconds.
    init(port: Int, timeout: Int = 120) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw ClientError(description: "connect: \(errno)")
        }
        var interval = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Closes the connection at once with a reset, as a killed client would (an aborted
    /// request when a body was under way). The client is unusable afterwards.
    func abort() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        fd = -1
    }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { try send(raw: $0) }
    }

    func send(_ text: String) throws { try send(Data(text.utf8)) }

    func send(raw bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError(description: "send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Sends the request line and headers (`Host` added); the body, if any, is up to the caller.
    func sendHead(_ method: String, _ target: String, headers: [(String, String)] = []) throws {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        try send(text)
    }

    /// A whole request with an optional body (Content-Length set) and its response.
    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: Data? = nil) throws -> Response {
        var all = headers
        if let body { all.append(("Content-Length", String(body.count))) }
        try sendHead(method, target, headers: all)
        if let body { try send(body) }
        return try readResponse()
    }

    /// Sends one chunk of a chunked body (an empty chunk ends the body).
    func sendChunk(_ data: Data) throws {
        try send(String(data.count, radix: 16) + "\r\n")
        try send(data)
        try send("\r\n")
    }

    /// Reads one response (Content-Length or chunked body).
    func readResponse() throws -> Response {
        let headEnd = try readUntil(Data("\r\n\r\n".utf8))
        let headText = String(decoding: pending.prefix(headEnd), as: UTF8.self)
        pending.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ClientError(description: "bad status line in \(headText)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data()
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                let lineEnd = try readUntil(Data("\r\n".utf8))
                let size = Int(String(decoding: pending.prefix(lineEnd), as: UTF8.self), radix: 16) ?? 0
                pending.removeFirst(lineEnd + 2)
                try fill(size + 2)
                body.append(pending.prefix(size))
                pending.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else {
            let length = Int(headers["content-length"] ?? "0") ?? 0
            try fill(length)
            body = pending.prefix(length)
            pending.removeFirst(length)
        }
        return Response(status: status, headers: headers, body: Data(body))
    }

    /// True when the server closed the connection (EOF or reset) before sending anything more.
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))
    }

    private func readMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n < 0 { throw ClientError(description: "recv: errno \(errno)") }
        if n == 0 { throw ClientError(description: "connection closed by the server") }
        pending.append(contentsOf: chunk[0..<n])
    }

    private func readUntil(_ marker: Data) throws -> Int {
        while true {
            if let range = pending.range(of: marker) { return range.lowerBound - pending.startIndex }
            try readMore()
        }
    }

    private func fill(_ count: Int) throws {
        while pending.count < count { try readMore() }
    }
}
