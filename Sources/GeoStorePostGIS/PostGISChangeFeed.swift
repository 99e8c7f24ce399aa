import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO
import Synchronization

/// The change feed: triggers on the catalogue, fences, keys and events call `pg_notify('citygeo_changes', …)` as
/// they commit (migrations `v1` to `v5`), and each ``changes()`` stream listens on a connection of its own.
///
/// Payloads are `layer:<name>`, `fence:<id>` (`fences` for an id too long to carry), `keys`, `events:[{…}, …]` (the event rows as written, split so that no
/// payload reaches PostgreSQL's 8,000-byte limit) and `event-ids:["id"]` (a row too large for a notification, read
/// by the listener). PostgreSQL delivers them only to listening connections, so a dropped connection loses what was
/// committed meanwhile: after reconnecting, the stream yields a change of every kind (each layer name ever used,
/// `fences`, `keys`, and the events written since shortly before the drop).
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
@MemberwiseInit
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
                    switch Self.notice(from: notification.payload) {
                    case .change(let change): self.output.yield(change)
                    case .eventIDs(let ids):
                        let rows = try await PostGISFenceRows.events(ids: ids, connection, logger: self.logger)
                        if !rows.isEmpty { self.output.yield(.events(rows)) }
                    case nil: break
                    }
                }
                throw GeoError(code: .databaseError, message: "the listening connection closed")
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: Self.checkInterval)
                    try await connection.run("SELECT 1", logger: self.logger)
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
        let written = try await PostGISFenceRows.events(
            connection, "\(unescaped: PostGISFenceRows.eventColumns) WHERE changed_at >= to_timestamp(\(since)) ORDER BY id", logger: logger)
        for start in stride(from: 0, to: written.count, by: 1000) {
            output.yield(.events(Array(written[start..<min(start + 1000, written.count)])))
        }
        markAlive()
    }

    /// What a notification announces: a change, or events to read by id.
    enum Notice: Equatable {
        case change(StoreChange)
        case eventIDs([String])
    }

    /// The notice of a payload; nil for one this version does not know or cannot read.
    static func notice(from payload: String) -> Notice? {
        if payload == "fences" { return .change(.fences) }
        if payload.hasPrefix("fence:") { return .change(.fence(String(payload.dropFirst(6)))) }
        if payload == "keys" { return .change(.keys) }
        if payload.hasPrefix("layer:") { return .change(.layer(String(payload.dropFirst(6)))) }
        if payload.hasPrefix("event-ids:"), case .array(let items)? = try? JSON.decode(String(payload.dropFirst(10))) {
            return .eventIDs(items.compactMap(\.stringValue))
        }
        if payload.hasPrefix("events:"), case .array(let items)? = try? JSON.decode(String(payload.dropFirst(7))) {
            return .change(.events(items.compactMap(snapshot(from:))))
        }
        return nil
    }

    /// An event row as the trigger writes it (`json_build_object` of the row's columns).
    private static func snapshot(from item: JSONValue) -> StoredFenceEvent? {
        guard case .object(let fields) = item,
              let id = fields["id"]?.stringValue, let vehicle = fields["vehicle"]?.stringValue,
              let kind = fields["kind"]?.stringValue, let start = fields["start"]?.doubleValue,
              let body = fields["body"]?.stringValue
        else { return nil }
        return StoredFenceEvent(
            id: id, vehicleId: vehicle, kind: kind, fenceId: fields["fence"]?.stringValue, start: start,
            end: fields["end"]?.doubleValue, body: body)
    }
}
