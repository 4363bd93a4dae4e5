extension String {
    /// The UTF-8 text of a NUL-terminated C character buffer (up to the first NUL).
    init(nulTerminated chars: [CChar]) {
        self = String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
