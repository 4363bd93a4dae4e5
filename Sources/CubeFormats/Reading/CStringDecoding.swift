extension String {
    /// The UTF-8 text of a NUL-terminated C character buffer (up to the first NUL).
    init(nulTerminated chars: [CChar]) {
        self = String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This text made safe to show in one line of an error (logs, JSON problem details):
    /// every character outside printable ASCII becomes `?` (runs of them one `?`), and text
    /// beyond `limit` characters is cut with `...`. C libraries quote raw file bytes in their
    /// messages (cfitsio shows the bad header card of a binary file, for instance).
    func printableASCII(limit: Int = 160) -> String {
        var out = ""
        var lastWasReplaced = false
        for scalar in unicodeScalars {
            if out.count >= limit { return out + "..." }
            if (0x20...0x7e).contains(scalar.value) {
                out.unicodeScalars.append(scalar)
                lastWasReplaced = false
            } else if !lastWasReplaced {
                out += "?"
                lastWasReplaced = true
            }
        }
        return out
    }
}
