import GeoCore
import NIOPosix

/// Where CPU-heavy request work runs: threads of their own, never the I/O event loops.
///
/// `citygeo serve` runs Swift concurrency on SwiftNIO's event loops (``ServerConfiguration/eventLoopExecutor``), so
/// a handler that computed for two seconds would stall every connection of its loop for two seconds. Handlers hand
/// such work (census checks, aggregations, batches, route comparisons, analyses) to ``run(_:)``, which runs it on
/// NIO's blocking-work thread pool and sets the work's ``CancellationFlag`` when the request's task is cancelled (the
/// request timeout, a client gone), so that the work stops at its next check instead of running on unseen.
public struct ComputePool: Sendable {
    private let pool: NIOThreadPool

    /// NIO's shared pool (one thread per core), started on first use.
    public static let shared = ComputePool(pool: .singleton)

    init(pool: NIOThreadPool) { self.pool = pool }

    /// Runs `work` on the pool and answers its result; cancellation of the calling task sets the flag `work` polls.
    public func run<Result: Sendable>(_ work: @escaping @Sendable (CancellationFlag) throws -> Result) async throws -> Result {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await pool.runIfActive { try work(flag) }
        } onCancel: {
            flag.cancel()
        }
    }
}
