import Foundation

/// Edge-preserving averaging of embeddings over image neighbourhoods, before clustering.
///
/// Neighbouring pixels mostly share a material, so averaging a pixel's embedding with its
/// neighbours' divides the noise without blurring the map, provided neighbours across a
/// boundary are left out. Rule: pixel p's new embedding is the mean of the embeddings of
/// the signal pixels q in the (2r + 1) x (2r + 1) window around p (p included) whose squared
/// distance |z_q - z_p|^2 is at most `tau`, where tau is `edgeFactor` times the median
/// squared distance between horizontally or vertically adjacent signal pixels (within a
/// region, neighbours differ by noise; across a boundary, by much more).
///
/// Measured with PCA + k-means given the true K (`make quality` cubes, radius 1): 20-count
/// MA-XRF 0.575 -> 0.723, the outside simulator's 40-count painting 0.295 -> 0.510, its
/// 400-count one 0.604 -> 0.676, a clean 120-count painting 0.961 -> 0.970 (a plain 3 x 3
/// box mean blurred it to 0.950).
public enum NeighbourhoodAveraging {
    /// Neighbours closer than this many times the median adjacent squared distance count.
    public static let edgeFactor: Float = 4

    /// - Parameters:
    ///   - z: one row per signal pixel (N x L, row major).
    ///   - pixelIndex: the pixel (row-major index into height x width) of every row of `z`.
    ///   - radius: window half-width r; 0 returns `z` unchanged.
    /// - Returns: the averaged embeddings, same shape and row order as `z`.
    public static func smooth(_ z: Matrix, pixelIndex: [Int32], height: Int, width: Int, radius: Int) -> Matrix {
        precondition(pixelIndex.count == z.rows, "one pixel index per embedding row")
        guard radius > 0, z.rows > 1 else { return z }
        let n = z.rows, l = z.cols
        var rowOf = [Int32](repeating: -1, count: height * width)
        for (row, pixel) in pixelIndex.enumerated() { rowOf[Int(pixel)] = Int32(row) }
        let tau = edgeFactor * medianAdjacentDistance(z, rowOf: rowOf, height: height, width: width)
        var out = Matrix(rows: n, cols: l)
        let chunks = ParallelBlocks.workers == 1 ? 1 : max(1, min(n, ParallelBlocks.workers * 8))
        z.storage.withUnsafeBufferPointer { src in
            rowOf.withUnsafeBufferPointer { rows in
                pixelIndex.withUnsafeBufferPointer { pix in
                    out.storage.withUnsafeMutableBufferPointer { dst in
                        let shared = SmoothingPointers(src: src.baseAddress!, rows: rows.baseAddress!, pix: pix.baseAddress!,
                                                       dst: dst.baseAddress!)
                        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                            let lo = chunk * n / chunks, hi = (chunk + 1) * n / chunks
                            var acc = [Float](repeating: 0, count: l)
                            for i in lo..<hi {
                                let p = Int(shared.pix[i]), y = p / width, x = p % width
                                let zi = shared.src + i * l
                                for j in 0..<l { acc[j] = 0 }
                                var count: Float = 0
                                for yy in max(0, y - radius)...min(height - 1, y + radius) {
                                    for xx in max(0, x - radius)...min(width - 1, x + radius) {
                                        let q = Int(shared.rows[yy * width + xx])
                                        guard q >= 0 else { continue }
                                        let zq = shared.src + q * l
                                        var d: Float = 0
                                        for j in 0..<l { let e = zq[j] - zi[j]; d += e * e }
                                        guard d <= tau else { continue }
                                        for j in 0..<l { acc[j] += zq[j] }
                                        count += 1
                                    }
                                }
                                let o = shared.dst + i * l
                                for j in 0..<l { o[j] = acc[j] / count }  // count >= 1: p itself
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Median squared distance between horizontally or vertically adjacent signal pixels
    /// (every such pair, or an evenly spaced subset of at most 200,000 of them); 0 if none.
    static func medianAdjacentDistance(_ z: Matrix, rowOf: [Int32], height: Int, width: Int) -> Float {
        var distances: [Float] = []
        distances.reserveCapacity(min(2 * height * width, 400_000))
        let l = z.cols
        let stride = max(1, (2 * height * width) / 200_000)
        var t = 0
        z.storage.withUnsafeBufferPointer { s in
            func add(_ a: Int32, _ b: Int32) {
                guard a >= 0, b >= 0 else { return }
                t += 1
                guard t % stride == 0 else { return }
                var d: Float = 0
                for j in 0..<l { let e = s[Int(a) * l + j] - s[Int(b) * l + j]; d += e * e }
                distances.append(d)
            }
            for y in 0..<height {
                for x in 0..<width {
                    let p = y * width + x
                    if x + 1 < width { add(rowOf[p], rowOf[p + 1]) }
                    if y + 1 < height { add(rowOf[p], rowOf[p + width]) }
                }
            }
        }
        guard !distances.isEmpty else { return 0 }
        let mid = distances.count / 2
        distances.withUnsafeMutableBufferPointer { d in
            // nth element by sorting: at most 400k floats.
            d.sort()
        }
        return distances[mid]
    }
}

/// Pointers shared by the averaging workers: `src`, `rows` and `pix` are read only, each
/// worker writes only its own rows of `dst`, and the buffers outlive `concurrentPerform`.
private struct SmoothingPointers: @unchecked Sendable {
    let src: UnsafePointer<Float>
    let rows: UnsafePointer<Int32>
    let pix: UnsafePointer<Int32>
    let dst: UnsafeMutablePointer<Float>
}
