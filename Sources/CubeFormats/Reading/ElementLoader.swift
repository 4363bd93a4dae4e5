/// Reads stored elements of one `CubeDataType` in one byte order as Float32, one at a time
/// or four consecutive ones as a `SIMD4<Float>`. `index` counts elements from `base`; the
/// bytes may be unaligned. Every loader gives bit for bit the value `ElementConversion`'s
/// scalar rules give (round to nearest for integers wider than 24 bits and float64).
///
/// The transpose and conversion kernels are generic over a loader so that each
/// (type, byte order) pair compiles to its own loop; `ElementLoaders.with` picks the pair.
protocol ElementLoader: SendableMetatype {
    static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float
    static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float>
}

/// Code run with the loader of a stored type (a generic body, since closures cannot be generic).
protocol ElementLoaderBody {
    associatedtype Result
    associatedtype Failure: Error
    func run<L: ElementLoader>(_ loader: L.Type) throws(Failure) -> Result
}

enum ElementLoaders {
    /// Runs `body` with the loader for `type` stored in `byteOrder`.
    static func with<B: ElementLoaderBody>(_ type: CubeDataType, _ byteOrder: ByteOrder, _ body: B) throws(B.Failure) -> B.Result {
        let swap = byteOrder != .native
        switch type {
        case .float32: return swap ? try body.run(Float32Swapped.self) : try body.run(Float32Native.self)
        case .int16: return swap ? try body.run(Int16Swapped.self) : try body.run(Int16Native.self)
        case .uint16: return swap ? try body.run(UInt16Swapped.self) : try body.run(UInt16Native.self)
        case .int32: return swap ? try body.run(Int32Swapped.self) : try body.run(Int32Native.self)
        case .uint32: return swap ? try body.run(UInt32Swapped.self) : try body.run(UInt32Native.self)
        case .float64: return swap ? try body.run(Float64Swapped.self) : try body.run(Float64Native.self)
        case .bool, .uint8: return try body.run(UInt8Loader.self)
        case .int8: return try body.run(Int8Loader.self)
        case .float16: return swap ? try body.run(Float16Swapped.self) : try body.run(Float16Native.self)
        case .int64: return swap ? try body.run(Int64Swapped.self) : try body.run(Int64Native.self)
        case .uint64: return swap ? try body.run(UInt64Swapped.self) : try body.run(UInt64Native.self)
        }
    }
}

// MARK: - Byte swaps of vector lanes. SSE2 has no byte shuffle; written as a 16-bit lane
// permutation (pshuflw/pshufhw) and 16-bit shifts, which LLVM keeps in vector registers
// (the 32-bit shift-and-mask form is recognised as bswap and scalarised inside the transpose).

@inline(__always) private func swapped(_ v: SIMD8<UInt16>) -> SIMD8<UInt16> { (v &<< 8) | (v &>> 8) }

@inline(__always) private func swapped(_ v: SIMD4<UInt16>) -> SIMD4<UInt16> { (v &<< 8) | (v &>> 8) }

@inline(__always) private func swapped(_ v: SIMD4<UInt32>) -> SIMD4<UInt32> {
    let h = unsafeBitCast(v, to: SIMD8<UInt16>.self)
    return unsafeBitCast(swapped(SIMD8(h[1], h[0], h[3], h[2], h[5], h[4], h[7], h[6])), to: SIMD4<UInt32>.self)
}

@inline(__always) private func swapped(_ v: SIMD2<UInt64>) -> SIMD2<UInt64> {
    let h = unsafeBitCast(v, to: SIMD8<UInt16>.self)
    return unsafeBitCast(swapped(SIMD8(h[3], h[2], h[1], h[0], h[7], h[6], h[5], h[4])), to: SIMD2<UInt64>.self)
}

// MARK: - Float32

enum Float32Native: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        base.loadUnaligned(fromByteOffset: 4 &* index, as: Float.self)
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        base.loadUnaligned(fromByteOffset: 4 &* index, as: SIMD4<Float>.self)
    }
}

enum Float32Swapped: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(bitPattern: base.loadUnaligned(fromByteOffset: 4 &* index, as: UInt32.self).byteSwapped)
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        unsafeBitCast(swapped(base.loadUnaligned(fromByteOffset: 4 &* index, as: SIMD4<UInt32>.self)), to: SIMD4<Float>.self)
    }
}

// MARK: - 16-bit integers

enum Int16Native: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 2 &* index, as: Int16.self))
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: base.loadUnaligned(fromByteOffset: 2 &* index, as: SIMD4<Int16>.self)))
    }
}

enum Int16Swapped: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 2 &* index, as: Int16.self).byteSwapped)
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        let bits = swapped(base.loadUnaligned(fromByteOffset: 2 &* index, as: SIMD4<UInt16>.self))
        return SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: SIMD4<Int16>(truncatingIfNeeded: bits)))
    }
}

enum UInt16Native: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self))
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: base.loadUnaligned(fromByteOffset: 2 &* index, as: SIMD4<UInt16>.self)))
    }
}

enum UInt16Swapped: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self).byteSwapped)
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: swapped(base.loadUnaligned(fromByteOffset: 2 &* index, as: SIMD4<UInt16>.self))))
    }
}

// MARK: - 32-bit integers

enum Int32Native: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 4 &* index, as: Int32.self))
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(base.loadUnaligned(fromByteOffset: 4 &* index, as: SIMD4<Int32>.self))
    }
}

enum Int32Swapped: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 4 &* index, as: Int32.self).byteSwapped)
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: swapped(base.loadUnaligned(fromByteOffset: 4 &* index, as: SIMD4<UInt32>.self))))
    }
}

enum UInt32Native: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 4 &* index, as: UInt32.self))
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(base.loadUnaligned(fromByteOffset: 4 &* index, as: SIMD4<UInt32>.self))
    }
}

enum UInt32Swapped: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 4 &* index, as: UInt32.self).byteSwapped)
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4<Float>(swapped(base.loadUnaligned(fromByteOffset: 4 &* index, as: SIMD4<UInt32>.self)))
    }
}

// MARK: - Float64 (rounded to nearest Float)

enum Float64Native: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 8 &* index, as: Double.self))
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        let lo = base.loadUnaligned(fromByteOffset: 8 &* index, as: SIMD2<Double>.self)
        let hi = base.loadUnaligned(fromByteOffset: 8 &* index &+ 16, as: SIMD2<Double>.self)
        return SIMD4(lowHalf: SIMD2<Float>(lo), highHalf: SIMD2<Float>(hi))
    }
}

enum Float64Swapped: ElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(Double(bitPattern: base.loadUnaligned(fromByteOffset: 8 &* index, as: UInt64.self).byteSwapped))
    }
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        let lo = swapped(base.loadUnaligned(fromByteOffset: 8 &* index, as: SIMD2<UInt64>.self))
        let hi = swapped(base.loadUnaligned(fromByteOffset: 8 &* index &+ 16, as: SIMD2<UInt64>.self))
        return SIMD4(lowHalf: SIMD2<Float>(unsafeBitCast(lo, to: SIMD2<Double>.self)),
                     highHalf: SIMD2<Float>(unsafeBitCast(hi, to: SIMD2<Double>.self)))
    }
}

// MARK: - Rare types: scalar loads, four at a time.

/// A loader whose `load4` is four scalar loads.
protocol ScalarElementLoader: ElementLoader {}

extension ScalarElementLoader {
    @inline(__always) static func load4(_ base: UnsafeRawPointer, _ index: Int) -> SIMD4<Float> {
        SIMD4(load(base, index), load(base, index &+ 1), load(base, index &+ 2), load(base, index &+ 3))
    }
}

enum UInt8Loader: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.load(fromByteOffset: index, as: UInt8.self))
    }
}

enum Int8Loader: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.load(fromByteOffset: index, as: Int8.self))
    }
}

enum Float16Native: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        ElementConversion.halfToFloat(base.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self))
    }
}

enum Float16Swapped: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        ElementConversion.halfToFloat(base.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self).byteSwapped)
    }
}

enum Int64Native: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 8 &* index, as: Int64.self))
    }
}

enum Int64Swapped: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 8 &* index, as: Int64.self).byteSwapped)
    }
}

enum UInt64Native: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 8 &* index, as: UInt64.self))
    }
}

enum UInt64Swapped: ScalarElementLoader {
    @inline(__always) static func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        Float(base.loadUnaligned(fromByteOffset: 8 &* index, as: UInt64.self).byteSwapped)
    }
}
