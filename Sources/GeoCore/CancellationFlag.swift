import Synchronization

/// A flag that long computations poll so that a caller can stop them: a request that timed out, a client that went
/// away. Swift's task cancellation does not reach work running on a thread pool, so the server sets this flag from
/// the task's cancellation handler and the computation checks it between units of work (a feature, a row, a cell).
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Asks the computation to stop at its next check.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Throws `cancelled` once ``cancel()`` was called; computations call it between units of work.
    public func check() throws(GeoError) {
        if isCancelled { throw GeoError(code: .cancelled, message: "the computation was stopped before it finished") }
    }
}
