import GeoFences
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The body of `/v1/events/stream`: events as server-sent events, with a comment line every `heartbeat` so that
/// proxies keep the connection and a client that went away is noticed (the write fails) instead of leaving the
/// connection in CLOSE-WAIT and its subscription alive until the next event; it ends on graceful shutdown, so a
/// SIGTERM never waits for open streams.
struct EventStream {
    /// What the stream writes next.
    private enum Item: Sendable {
        case event(FenceEvent)
        case heartbeat
    }

    static let heartbeatText = ": heartbeat\n\n"

    let live: AsyncStream<FenceEvent>
    let heartbeat: Duration
    /// Which live events the client asked for.
    let include: @Sendable (FenceEvent) -> Bool
    let limit: Int

    /// Writes `stored`, then live events, until the limit, the client's departure or graceful shutdown.
    func write(stored: [FenceEvent], to writer: inout any ResponseBodyWriter) async throws {
        var sent = 0
        for event in stored where sent < limit {
            try await writer.write(FenceController.serverSentEvent(event))
            sent += 1
        }
        if sent < limit {
            let (items, feed) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Both producers stop when the group is cancelled below; ending the `for await` over `live` ends the
                // monitor's subscription (its termination handler unsubscribes).
                group.addTask { [live, include] in
                    for await event in live where include(event) { feed.yield(.event(event)) }
                    feed.finish()
                }
                group.addTask { [heartbeat] in
                    while !Task.isCancelled {
                        try await Task.sleep(for: heartbeat)
                        feed.yield(.heartbeat)
                    }
                }
                defer { group.cancelAll() }
                try await withGracefulShutdownHandler {
                    for await item in items {
                        switch item {
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: Self.heartbeatText))
                        case .event(let event):
                            try await writer.write(FenceController.serverSentEvent(event))
                            sent += 1
                        }
                        if sent >= limit { break }
                    }
                } onGracefulShutdown: {
                    feed.finish()
                }
            }
        }
        try await writer.finish(nil)
    }
}
