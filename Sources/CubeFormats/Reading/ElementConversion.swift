/// Converts stored elements (any `CubeDataType`, either byte order) to Float32.
///
/// `convert` reads `count` elements packed contiguously at `source` and writes them to
/// `destination[0], destination[stride], destination[2 * stride], ...`. Source bytes may be
/// unaligned. Hot loop: one switch per call, no allocation; with `stride` 1, four elements
/// per step through the type's `ElementLoader` (same values, bit for bit).
enum ElementConversion {
    static func convert(_ source: UnsafeRawPointer, count: Int, type: CubeDataType, byteOrder: ByteOrder,
                        to destination: UnsafeMutablePointer<Float>, stride: Int) {
        if stride == 1 {
            if type == .float32 && byteOrder == .native {
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: 4 * count)
            } else {
                ElementLoaders.with(type, byteOrder, ContiguousConversion(source: source, count: count, destination: destination))
            }
            return
        }
        let swap = byteOrder != .native
        switch type {
        case .bool, .uint8:
            let s = source.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { destination[i * stride] = Float(s[i]) }
        case .int8:
            let s = source.assumingMemoryBound(to: Int8.self)
            for i in 0..<count { destination[i * stride] = Float(s[i]) }
        case .int16: integers(source, count, Int16.self, swap, destination, stride)
        case .uint16: integers(source, count, UInt16.self, swap, destination, stride)
        case .int32: integers(source, count, Int32.self, swap, destination, stride)
        case .uint32: integers(source, count, UInt32.self, swap, destination, stride)
        case .int64: integers(source, count, Int64.self, swap, destination, stride)
        case .uint64: integers(source, count, UInt64.self, swap, destination, stride)
        case .float16:
            for i in 0..<count {
                var bits = source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                if swap { bits = bits.byteSwapped }
                destination[i * stride] = halfToFloat(bits)
            }
        case .float32:
            if swap {
                for i in 0..<count {
                    let bits = source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                    destination[i * stride] = Float(bitPattern: bits.byteSwapped)
                }
            } else {
                for i in 0..<count {
                    destination[i * stride] = source.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
                }
            }
        case .float64:
            for i in 0..<count {
                var bits = source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                if swap { bits = bits.byteSwapped }
                destination[i * stride] = Float(Double(bitPattern: bits))
            }
        }
    }

    @inline(__always)
    private static func integers<T: FixedWidthInteger>(_ source: UnsafeRawPointer, _ count: Int, _: T.Type, _ swap: Bool,
                                                         _ destination: UnsafeMutablePointer<Float>, _ stride: Int) {
        let size = MemoryLayout<T>.size
        if swap {
            for i in 0..<count { destination[i * stride] = Float(source.loadUnaligned(fromByteOffset: size * i, as: T.self).byteSwapped) }
        } else {
            for i in 0..<count { destination[i * stride] = Float(source.loadUnaligned(fromByteOffset: size * i, as: T.self)) }
        }
    }

    /// IEEE 754 binary16 bits to Float (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int((h >> 10) & 0x1f)
        let mantissa = UInt32(h & 0x3ff)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24  // subnormal (or zero)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}

/// Converts `count` contiguous stored elements to contiguous Float32, four at a time.
private struct ContiguousConversion: ElementLoaderBody {
    let source: UnsafeRawPointer
    let count: Int
    let destination: UnsafeMutablePointer<Float>

    func run<L: ElementLoader>(_: L.Type) -> Void {
        let out = UnsafeMutableRawPointer(destination)
        var i = 0
        while i + 4 <= count {
            (out + 4 &* i).storeBytes(of: L.load4(source, i), as: SIMD4<Float>.self)
            i &+= 4
        }
        while i < count {
            destination[i] = L.load(source, i)
            i += 1
        }
    }
}

