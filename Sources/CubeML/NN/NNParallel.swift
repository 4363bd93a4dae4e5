import Dispatch

/// Splits elementwise work over the BLAS thread count (the caller's budget of cores).
/// Results do not depend on the split: every element is computed by the same code
/// whichever chunk it falls in.
enum NNParallel {
    /// Calls `body` on contiguous chunks covering 0..<count, concurrently when there are at
    /// least two chunks of `minimumChunk` elements and more than one BLAS thread.
    static func forChunks(_ count: Int, minimumChunk: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
        let parts = min(BLAS.threads, count / minimumChunk)
        guard parts > 1 else {
            body(0..<count)
            return
        }
        // Chunk boundaries on multiples of 16 elements keep vector loops aligned alike.
        let step = ((count + parts - 1) / parts + 15) / 16 * 16
        // Safe to share: concurrentPerform returns only after every chunk ran, and the
        // chunks are disjoint ranges, so callers' buffers see no overlapping writes.
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = min(part * step, count)
            let end = min(start + step, count)
            if start < end { work(start..<end) }
        }
    }
}
