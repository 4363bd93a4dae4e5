import Foundation

extension LabelsDocument {
    /// Compact JSON of the document, written by hand: label maps hold millions of integers,
    /// which `JSONEncoder` takes seconds to write. Keys in sorted order, `by_k` by ascending K;
    /// `JSONDecoder` reads it back into an equal document.
    public func encodedJSON() -> Data {
        var out = [UInt8]()
        out.reserveCapacity((labels.count + byK.values.reduce(0) { $0 + $1.count }) * 3 + 256)
        func text(_ s: String) { out.append(contentsOf: s.utf8) }
        text("{\"background\":\(background),\"by_k\":{")
        for (i, key) in byK.keys.sorted(by: { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }).enumerated() {
            if i > 0 { text(",") }
            text("\"\(key)\":")
            Self.appendArray(byK[key]!, to: &out)
        }
        text("},\"height\":\(height),\"k\":\(k),\"labels\":")
        Self.appendArray(labels, to: &out)
        text(",\"layout\":")
        out.append(contentsOf: (try? JSONEncoder().encode(layout)) ?? Data("\"\"".utf8))
        text(",\"width\":\(width)}")
        return Data(out)
    }

    /// Appends `[v0,v1,...]` in decimal.
    static func appendArray(_ values: [Int32], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var digits = [UInt8](repeating: 0, count: 11)
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if v < 0 { out.append(UInt8(ascii: "-")) }
            var m = v.magnitude, n = 0
            repeat {
                digits[n] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10; n += 1
            } while m > 0
            while n > 0 { n -= 1; out.append(digits[n]) }
        }
        out.append(UInt8(ascii: "]"))
    }
}
