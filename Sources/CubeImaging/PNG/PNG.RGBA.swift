extension PNG {
    /// An 8-bit colour with alpha (255 = opaque, 0 = fully transparent).
    public struct RGBA: Sendable, Hashable, CustomStringConvertible {
        public var r: UInt8
        public var g: UInt8
        public var b: UInt8
        public var a: UInt8

        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
            self.r = r; self.g = g; self.b = b; self.a = a
        }

        /// From `0xRRGGBB`, opaque.
        public init(hex: UInt32) {
            self.init(UInt8(truncatingIfNeeded: hex >> 16), UInt8(truncatingIfNeeded: hex >> 8), UInt8(truncatingIfNeeded: hex))
        }

        /// `#rrggbb` (opaque) or `#rrggbbaa`.
        public var description: String {
            let hex = [r, g, b] + (a == 255 ? [] : [a])
            return "#" + hex.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
    }
}
