import GeoCore

/// Where CPU-heavy request work runs: threads of their own, never the I/O event loops.
///
/// `citygeo serve` runs Swift concurrency on SwiftNIO's event loops (``ServerConfiguration/eventLoopExecutor``), so
/// a handler that computed for two seconds would stall every connection of its loop for two seconds. Handlers hand
/// such work (census checks, aggregations, batches, route comparisons, tile renders) to ``run(_:)-(_)`` or
/// ``run(_:)-(_)``, which run it on a ``ThreadPoolExecutor`` as part of the calling task: the request's cancellation
/// (its timeout, a client gone) reaches it, and synchronous loops stop at their next check of the
/// ``CancellationFlag`` they are given.
public struct ComputePool: Sendable {
    /// The threads, one per core.
    public let executor: ThreadPoolExecutor

    /// The server's pool.
    public static let shared = ComputePool(executor: ThreadPoolExecutor(name: "citygeo-compute"))

    /// Runs synchronous `work` on the pool; cancellation of the calling task sets the flag `work` polls.
    public func run<Result: Sendable>(_ work: @escaping @Sendable (CancellationFlag) throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(executor) {
            let flag = CancellationFlag()
            return try await withTaskCancellationHandler {
                try work(flag)
            } onCancel: {
                flag.cancel()
            }
        }
    }

    /// Runs asynchronous `work` on the pool: its nonisolated parts (store reads between their awaits, the
    /// computation after them) run on the pool's threads, in the calling task.
    public func run<Result: Sendable>(_ work: @Sendable () async throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(executor) { try await work() }
    }
}
