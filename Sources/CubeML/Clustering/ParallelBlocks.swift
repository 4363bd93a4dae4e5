import Dispatch
import Foundation

/// Runs work over contiguous blocks of rows on the job's cores (`workers`), with results that do not depend on
/// scheduling: each block's work is a pure function of its index, and callers store one partial
/// result per block and reduce them in block order afterwards.
enum ParallelBlocks {
    /// Worker count of every parallel loop in CubeML: the job's thread budget (the OpenBLAS
    /// thread count that `cubeseg segment --threads` and the service's `blas_threads` set),
    /// at most the machine's active cores.
    static var workers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, BLAS.threads)) }

    /// Splits `0..<count` into blocks of `blockSize` rows (the last one shorter) and calls
    /// `body(blockIndex, rowRange, worker)` once per block, from `workers` threads at most.
    /// `worker` (0..<workers) identifies the calling worker so it can reuse a scratch buffer;
    /// blocks are dealt to workers in contiguous runs (worker w gets blocks w*per..<(w+1)*per).
    static func run(count: Int, blockSize: Int, _ body: (_ block: Int, _ rows: Range<Int>, _ worker: Int) -> Void) {
        guard count > 0 else { return }
        let blocks = blockCount(count: count, blockSize: blockSize)
        let w = min(workers, blocks)
        if w == 1 {
            for b in 0..<blocks { body(b, range(b, count: count, blockSize: blockSize), 0) }
            return
        }
        let per = (blocks + w - 1) / w
        withoutActuallyEscaping(body) { escaping in
            // The closure only runs inside concurrentPerform, which returns after every worker
            // is done; callers make each block write disjoint memory.
            let shared = UncheckedSendableBox(escaping)
            DispatchQueue.concurrentPerform(iterations: w) { worker in
                let start = worker * per
                let end = min(blocks, start + per)
                if start < end {
                    ParallelRegion.inside {
                        for b in start..<end { shared.value(b, range(b, count: count, blockSize: blockSize), worker) }
                    }
                }
            }
        }
    }

    /// Number of blocks `run` uses for `count` rows.
    static func blockCount(count: Int, blockSize: Int) -> Int { (count + blockSize - 1) / blockSize }

    /// Worker count `run` uses for `count` rows.
    static func workerCount(count: Int, blockSize: Int) -> Int { max(1, min(workers, blockCount(count: count, blockSize: blockSize))) }

    static func range(_ b: Int, count: Int, blockSize: Int) -> Range<Int> {
        (b * blockSize)..<min(count, (b + 1) * blockSize)
    }
}

/// Carries a non-Sendable value into `concurrentPerform`; see the invariant at its use.
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A raw pointer that may cross into `concurrentPerform` closures. Safe because every use
/// writes disjoint index ranges from different workers (each caller documents which).
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
