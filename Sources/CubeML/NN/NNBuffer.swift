/// A fixed-size, zero-initialised Float32 buffer with a stable address, for BLAS and the
/// elementwise kernels; freed when the buffer is released.
///
/// Not Sendable: each buffer belongs to one workspace, used by one thread at a time.
final class NNBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// The values as an array (tests, inspection).
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
