import Foundation
import GeoCore
import GeoStore

/// Fences, events and evaluator states through a ``FenceRepository`` (GeoStore keeps JSON bodies and the
/// columns it filters on; the model stays here).
public struct FencePersistence: Sendable {
    /// Where fences, events and states are kept (a `SpatialStore` in the server and CLI).
    public let repository: any FenceRepository

    /// Persistence through `repository`.
    public init(_ repository: any FenceRepository) { self.repository = repository }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // Sorted keys: the same value always gives the same bytes, so stored bodies compare and diff cleanly.
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    private static func decodeError(_ what: String, _ error: any Error) -> GeoError {
        GeoError(code: .invalidStoredFence, message: "cannot decode a stored \(what)", underlying: "\(error)")
    }

    /// Validates (fields and GEOS shape) and stores a fence, replacing the one with the same id as it is.
    public func save(_ fence: Fence) async throws(GeoError) {
        try fence.validate()
        try fence.validateShape()
        let body: String
        do {
            body = String(decoding: try Self.encoder().encode(fence), as: UTF8.self)
        } catch { throw Self.decodeError("fence", error) }
        var box: BoundingBox?
        fence.geometry.forEachCoordinate { c in
            if box == nil { box = BoundingBox(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y) } else { box!.expand(toInclude: c) }
        }
        try await repository.saveFence(
            StoredFence(id: fence.id, kind: fence.kind.rawValue, role: fence.role?.rawValue, version: fence.version, bbox: box, body: body))
    }

    /// The stored fence with this id, if any.
    public func fence(id: String) async throws(GeoError) -> Fence? {
        guard let stored = try await repository.fence(id: id) else { return nil }
        return try Self.decode(Fence.self, stored.body, "fence")
    }

    /// Every stored fence, by id.
    public func fences() async throws(GeoError) -> [Fence] {
        var result: [Fence] = []
        for stored in try await repository.fences() { result.append(try Self.decode(Fence.self, stored.body, "fence")) }
        return result
    }

    /// Removes a fence; false when there was none.
    public func deleteFence(id: String) async throws(GeoError) -> Bool { try await repository.deleteFence(id: id) }

    /// Upserts events by id: an open snapshot followed by its closed one leaves one closed row.
    public func save(_ events: [FenceEvent]) async throws(GeoError) {
        try await repository.saveFenceEvents(try Self.rows(events))
    }

    static func rows(_ events: [FenceEvent]) throws(GeoError) -> [StoredFenceEvent] {
        var rows: [StoredFenceEvent] = []
        rows.reserveCapacity(events.count)
        let encoder = encoder()
        for e in events {
            let body: String
            do { body = String(decoding: try encoder.encode(e), as: UTF8.self) } catch { throw decodeError("event", error) }
            rows.append(
                StoredFenceEvent(id: e.id, vehicleId: e.vehicleId, kind: e.kind.rawValue, fenceId: e.fenceId, start: e.start, end: e.end, body: body))
        }
        return rows
    }

    /// Upserts `events` and stores `state` under `name` in one transaction: after a crash the stored state and
    /// events are both from before the call or both from after it.
    public func save(_ events: [FenceEvent], state: FenceEvaluatorState, name: String) async throws(GeoError) {
        let rows = try Self.rows(events)
        let body: Data
        do { body = try Self.encoder().encode(state) } catch { throw Self.decodeError("evaluator state", error) }
        try await repository.saveFenceEvents(rows, evaluatorState: body, name: name)
    }

    /// Stored events (their last snapshot), by start time then id.
    public func events(matching query: FenceEventQuery = .init()) async throws(GeoError) -> [FenceEvent] {
        var result: [FenceEvent] = []
        for stored in try await repository.fenceEvents(matching: query) {
            result.append(try Self.decode(FenceEvent.self, stored.body, "event"))
        }
        return result
    }

    /// The evaluator state as the store keeps it.
    static func body(of state: FenceEvaluatorState) throws(GeoError) -> Data {
        do { return try encoder().encode(state) } catch { throw decodeError("evaluator state", error) }
    }

    /// Stores an evaluator state under `name` (one per evaluator), replacing the previous one.
    public func save(state: FenceEvaluatorState, name: String) async throws(GeoError) {
        let body: Data
        do { body = try Self.encoder().encode(state) } catch { throw Self.decodeError("evaluator state", error) }
        try await repository.saveEvaluatorState(name: name, body: body)
    }

    /// The state saved under `name`, nil when none was.
    public func state(name: String) async throws(GeoError) -> FenceEvaluatorState? {
        guard let data = try await repository.evaluatorState(name: name) else { return nil }
        do { return try JSONDecoder().decode(FenceEvaluatorState.self, from: data) } catch {
            throw Self.decodeError("evaluator state", error)
        }
    }

    /// The event a stored row holds.
    static func event(from stored: StoredFenceEvent) throws(GeoError) -> FenceEvent {
        try decode(FenceEvent.self, stored.body, "event")
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ body: String, _ what: String) throws(GeoError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(body.utf8)) } catch { throw decodeError(what, error) }
    }
}
