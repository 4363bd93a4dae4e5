import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A resolved listen address, kept in a `sockaddr_storage` whose lifetime the server controls.
struct SocketAddress {
    var storage = sockaddr_storage()
    var isIPv6: Bool

    /// Resolves `host` (an IP literal or a name; the first address returned wins) with `port`.
    init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw HTTPServerError.unresolvableHost(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        isIPv6 = first.pointee.ai_family == AF_INET6
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr,
                                                           count: Int(first.pointee.ai_addrlen)))
        }
    }

    /// The numeric host of a socket address (`127.0.0.1`, `::1`), "" when it has none.
    static func numericHost(of address: UnsafePointer<sockaddr>?) -> String {
        guard let address else { return "" }
        let length = address.pointee.sa_family == sa_family_t(AF_INET6)
            ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, socklen_t(length), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return ""
        }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
