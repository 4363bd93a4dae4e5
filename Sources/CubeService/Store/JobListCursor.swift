import Foundation

/// A job-list cursor, shared by the stores: base64url of "<created_at bit pattern hex>:<id>"
/// (exact, opaque to clients). Pages are ordered by (created_at, id) descending.
enum JobListCursor {
    static func encode(time: Double, id: String) -> String {
        let raw = String(time.bitPattern, radix: 16) + ":" + id
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ s: String) -> (Double, String)? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let raw = String(data: data, encoding: .utf8),
              let colon = raw.firstIndex(of: ":"), let bits = UInt64(raw[..<colon], radix: 16) else { return nil }
        let id = String(raw[raw.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        return (Double(bitPattern: bits), id)
    }
}
