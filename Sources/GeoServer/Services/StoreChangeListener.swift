import GeoCore
import GeoStore
import Logging
import ServiceLifecycle

/// Follows the store's change feed (PostgreSQL's LISTEN/NOTIFY): what another server of the cluster, or
/// `citygeo import`/`keys`/`fence import` on any machine, committed reaches this server's in-memory copies at
/// once instead of at their next periodic check. A store without a feed (SpatiaLite) has no listener: its copies
/// check the catalogue at most once a second, which one process writing at a time needs no more than.
struct StoreChangeListener: Service {
    /// What a change is handed to.
    typealias Follower = @Sendable (StoreChange) async -> Void

    let feed: AsyncStream<StoreChange>
    let followers: [Follower]
    let logger: Logger

    /// Hands every change to each follower in order, until the application stops or the feed ends.
    func run() async {
        for await change in feed.cancelOnGracefulShutdown() {
            for follow in followers { await follow(change) }
        }
        if !Task.isCancelled, !Task.isShuttingDownGracefully {
            logger.warning("the store's change feed ended: caches fall back to their periodic checks")
        }
    }
}
