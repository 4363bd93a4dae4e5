extension PNG {
    /// The five scanline filters of PNG filter method 0. A filter predicts each byte from
    /// its left neighbour `a` (one pixel back), the byte above `b` and the one above-left `c`,
    /// and stores the difference modulo 256.
    public enum Filter: UInt8, Sendable, CaseIterable {
        case none = 0, sub = 1, up = 2, average = 3, paeth = 4

        /// Filters `row` into `out` (same count) given the unfiltered previous row (`previous`,
        /// zeros for the first row) and `stride` bytes per pixel.
        static func apply(_ filter: Filter, row: UnsafeBufferPointer<UInt8>, previous: UnsafeBufferPointer<UInt8>,
                          stride: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
            let n = row.count
            switch filter {
            case .none:
                for i in 0..<n { out[i] = row[i] }
            case .sub:
                for i in 0..<n { out[i] = row[i] &- (i >= stride ? row[i - stride] : 0) }
            case .up:
                for i in 0..<n { out[i] = row[i] &- previous[i] }
            case .average:
                for i in 0..<n {
                    let a = i >= stride ? Int(row[i - stride]) : 0
                    out[i] = row[i] &- UInt8((a + Int(previous[i])) >> 1)
                }
            case .paeth:
                for i in 0..<n {
                    let a = i >= stride ? row[i - stride] : 0, c = i >= stride ? previous[i - stride] : 0
                    out[i] = row[i] &- paethPredictor(a, previous[i], c)
                }
            }
        }

        /// Reverses `filter` in place on `row`, given the already unfiltered `previous` row.
        static func reverse(_ filter: Filter, row: UnsafeMutableBufferPointer<UInt8>,
                            previous: UnsafeBufferPointer<UInt8>, stride: Int) {
            let n = row.count
            switch filter {
            case .none:
                break
            case .sub:
                if n > stride { for i in stride..<n { row[i] = row[i] &+ row[i - stride] } }
            case .up:
                for i in 0..<n { row[i] = row[i] &+ previous[i] }
            case .average:
                for i in 0..<n {
                    let a = i >= stride ? Int(row[i - stride]) : 0
                    row[i] = row[i] &+ UInt8((a + Int(previous[i])) >> 1)
                }
            case .paeth:
                for i in 0..<n {
                    let a = i >= stride ? row[i - stride] : 0, c = i >= stride ? previous[i - stride] : 0
                    row[i] = row[i] &+ paethPredictor(a, previous[i], c)
                }
            }
        }

        /// The Paeth predictor: whichever of a, b, c is closest to a + b - c (ties: a, b, c).
        @inline(__always)
        static func paethPredictor(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
            let p = Int(a) + Int(b) - Int(c)
            let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
            if pa <= pb && pa <= pc { return a }
            return pb <= pc ? b : c
        }

        /// Sum of the filtered bytes read as signed values, in absolute value: the
        /// minimum-sum-of-absolute-differences heuristic's cost of a filtered row.
        static func cost(_ filtered: UnsafeBufferPointer<UInt8>) -> Int {
            var s = 0
            for v in filtered { s += abs(Int(Int8(bitPattern: v))) }
            return s
        }
    }
}
