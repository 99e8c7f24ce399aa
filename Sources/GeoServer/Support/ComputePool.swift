import GeoCore
import Hummingbird

/// Where CPU-heavy request work runs: threads of their own, never the I/O event loops.
///
/// `citygeo serve` runs Swift concurrency on SwiftNIO's event loops (``ServerConfiguration/eventLoopExecutor``), so
/// a handler that computed for two seconds would stall every connection of its loop for two seconds. Heavy routes
/// (census checks, aggregations, batches, uploads, route comparisons, coverage, tile renders) run on a
/// ``ThreadPoolExecutor`` instead, as part of the request's own task: the request timeout's cancellation reaches
/// them, and their loops stop at the next ``GeoError/throwIfCancelled()``.
public struct ComputePool: Sendable {
    /// The threads, one per core.
    public let executor: ThreadPoolExecutor

    /// The server's pool.
    public static let shared = ComputePool(executor: ThreadPoolExecutor(name: "citygeo-compute"))

    /// Runs `work` on the pool: its nonisolated parts (store reads between their awaits, the computation after them)
    /// run on the pool's threads, in the calling task.
    public func run<Result: Sendable>(_ work: @Sendable () async throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(executor) { try await work() }
    }

    /// `handler` answered on the pool (see ``run(_:)``): how heavy routes are registered.
    func offloaded<Context: RequestContext>(
        _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> @Sendable (Request, Context) async throws -> Response {
        { request, context in try await run { try await handler(request, context) } }
    }
}
