#if canImport(Glibc)
import Glibc
#endif

/// Marks the threads that are running one of CubeML's parallel loops, so a product started
/// inside one (a k-means block's distances, a silhouette tile) runs its blocks on that
/// worker instead of starting workers of its own. Per thread (pthread key), restored on exit.
enum ParallelRegion {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// True on a thread inside `inside { }`.
    static var isInside: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` marked as inside a parallel loop, then restores the thread's mark.
    static func inside<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}
