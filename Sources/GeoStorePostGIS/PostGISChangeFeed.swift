import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO
import Synchronization

/// The change feed: triggers on the catalogue, fences, keys and events call `pg_notify('citygeo_changes', …)` as
/// they commit (migrations `v1` to `v5`), and each ``changes()`` stream listens on a connection of its own.
///
/// Payloads are `layer:<name>`, `fences`, `keys` and `events:["id", …]` (event ids split so that no payload reaches
/// PostgreSQL's 8,000-byte limit). PostgreSQL delivers them only to listening connections, so a dropped connection
/// loses what was committed meanwhile: after reconnecting, the stream yields a change of every kind (each layer
/// name ever used, `fences`, `keys`, and the ids of events written since shortly before the drop).
extension PostGISStore: StoreChangeFeed {
    /// Listens before it returns, so every change committed afterwards reaches the stream; `database_error` when
    /// the server cannot be reached. The stream ends when its consumer stops iterating, or on ``close()``.
    public func changes() async throws(GeoError) -> AsyncStream<StoreChange>? {
        let connection = try await PostGISConnections.connect(
            to: location, applicationName: PostGISChangeListener.applicationName, timeout: options.connectTimeout, logger: logger)
        let (stream, continuation) = AsyncStream.makeStream(of: StoreChange.self)
        let listener = PostGISChangeListener(location: location, connectTimeout: options.connectTimeout, logger: logger, output: continuation)
        let id = UUID()
        let started: Result<Void, GeoError> = await withCheckedContinuation { ready in
            let task = Task { await listener.run(first: connection, ready: ready) }
            listeners.withLock { $0[id] = task }
            continuation.onTermination = { [weak self] _ in
                task.cancel()
                _ = self?.listeners.withLock { $0.removeValue(forKey: id) }
            }
        }
        if case .failure(let error) = started {
            continuation.finish()
            throw error
        }
        return stream
    }
}

/// One change feed's listening loop: LISTEN, yield what arrives, check the connection every few seconds, and
/// reconnect (with back-off) when it drops.
final class PostGISChangeListener: Sendable {
    static let applicationName = "citygeo-changes"
    /// How often an idle listening connection is checked: a connection cut without a FIN would otherwise look idle.
    static let checkInterval: Duration = .seconds(5)
    /// How far before the last sign of life a reconnected feed looks for events written meanwhile (a transaction's
    /// rows carry its start time, which may precede its commit by that much).
    static let resyncMargin: Double = 60

    let location: PostGISLocation
    let connectTimeout: Duration
    let logger: Logger
    let output: AsyncStream<StoreChange>.Continuation

    /// Seconds since 1970 of the last notification or successful check.
    private let lastAlive = Mutex<Double>(Date().timeIntervalSince1970)

    init(location: PostGISLocation, connectTimeout: Duration, logger: Logger, output: AsyncStream<StoreChange>.Continuation) {
        self.location = location
        self.connectTimeout = connectTimeout
        self.logger = logger
        self.output = output
    }

    func run(first: PostgresConnection, ready: CheckedContinuation<Result<Void, GeoError>, Never>) async {
        var connection: PostgresConnection? = first
        var readiness: CheckedContinuation<Result<Void, GeoError>, Never>? = ready
        var reconnecting = false
        var pause = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let current: PostgresConnection
                if let connection { current = connection } else { current = try await reconnect() }
                connection = current
                try await withTaskCancellationHandler {
                    try await current.listen(on: PostGISMigrations.channel) { notifications in
                        readiness?.resume(returning: .success(()))
                        readiness = nil
                        markAlive()
                        if reconnecting {
                            try await resynchronise(current)
                            pause = .milliseconds(100)
                        }
                        try await follow(notifications, on: current)
                    }
                } onCancel: {
                    // Ends the notification sequence, which does not watch for cancellation itself.
                    current.close().whenComplete { _ in }
                }
            } catch {
                if let waiting = readiness {
                    waiting.resume(returning: .failure(PostGISErrors.geoError(error, "cannot listen for changes on \(location)")))
                    readiness = nil
                    break
                }
                logger.warning("change feed lost its connection; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await connection?.close()
            connection = nil
            reconnecting = true
            guard (try? await Task.sleep(for: pause)) != nil else { break }
            pause = min(pause * 2, .seconds(5))
        }
        readiness?.resume(returning: .failure(GeoError(code: .cancelled, message: "the change feed was closed before it started")))
        try? await connection?.close()
        output.finish()
    }

    private func reconnect() async throws -> PostgresConnection {
        try await PostGISConnections.connect(to: location, applicationName: Self.applicationName, timeout: connectTimeout, logger: logger)
    }

    private func markAlive() {
        lastAlive.withLock { $0 = Date().timeIntervalSince1970 }
    }

    /// Yields every notification until the connection fails a check or drops.
    private func follow(_ notifications: PostgresNotificationSequence, on connection: PostgresConnection) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await notification in notifications {
                    self.markAlive()
                    if let change = Self.change(from: notification.payload) { self.output.yield(change) }
                }
                throw GeoError(code: .databaseError, message: "the listening connection closed")
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: Self.checkInterval)
                    try await connection.query("SELECT 1", logger: self.logger)
                    self.markAlive()
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// After a reconnection: a change of every kind, since notifications committed while disconnected are lost.
    private func resynchronise(_ connection: PostgresConnection) async throws {
        output.yield(.fences)
        output.yield(.keys)
        for try await name in try await connection.query("SELECT name FROM geo_layer_versions ORDER BY name", logger: logger).decode(String.self) {
            output.yield(.layer(name))
        }
        let since = lastAlive.withLock { $0 } - Self.resyncMargin
        var ids: [String] = []
        let rows = try await connection.query(
            "SELECT id FROM fence_events WHERE changed_at >= to_timestamp(\(since)) ORDER BY id", logger: logger)
        for try await id in rows.decode(String.self) {
            ids.append(id)
            if ids.count == 1000 {
                output.yield(.events(ids))
                ids.removeAll()
            }
        }
        if !ids.isEmpty { output.yield(.events(ids)) }
        markAlive()
    }

    /// The change a payload announces; nil for one this version does not know.
    static func change(from payload: String) -> StoreChange? {
        if payload == "fences" { return .fences }
        if payload == "keys" { return .keys }
        if payload.hasPrefix("layer:") { return .layer(String(payload.dropFirst(6))) }
        if payload.hasPrefix("events:"), case .array(let items)? = try? JSON.decode(String(payload.dropFirst(7))) {
            return .events(items.compactMap(\.stringValue))
        }
        return nil
    }
}
