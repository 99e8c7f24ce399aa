import Foundation
import GeoCore
import StoreBackends
import Testing

@testable import GeoStore

/// The seams several servers share a database through: vehicle states locked per batch and committed with the
/// batch's events, deliveries and fixes; the webhook outbox leased to one dispatcher; events looked up by id.
@Suite struct ClusterSeamTests {
    static func fix(_ vehicle: String, _ t: Double) -> TrackPoint {
        TrackPoint(vehicle: vehicle, time: t, longitude: 120.46 + t * 1e-6, latitude: 33.2)
    }

    static func event(_ id: String, vehicle: String, end: Double?) -> StoredFenceEvent {
        StoredFenceEvent(id: id, vehicleId: vehicle, kind: "overSpeed", fenceId: nil, start: 10, end: end, body: #"{"id":"\#(id)"}"#)
    }

    static func evaluation(_ states: [String: VehicleStateRow], events: [StoredFenceEvent], urls: [String]) -> LockedEvaluation {
        LockedEvaluation(
            states: states, events: events,
            deliveries: events.flatMap { e in urls.map { WebhookDelivery(eventId: e.id, url: $0, body: e.body) } })
    }

    @Test(arguments: StoreBackend.all)
    func aLockedEvaluationCommitsStatesEventsDeliveriesAndFixesTogether(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let first = try await store.evaluateWithLockedStates(vehicles: ["A", "B"], fixes: [Self.fix("A", 1), Self.fix("B", 2)]) { rows in
            #expect(rows.isEmpty)
            return Self.evaluation(
                ["A": VehicleStateRow(body: Data("a1".utf8), pendingSince: 1), "B": VehicleStateRow(body: Data("b1".utf8), pendingSince: nil)],
                events: [Self.event("e1", vehicle: "A", end: nil)], urls: ["http://a.example/hook", "http://b.example/hook"])
        }
        #expect(first.stored == TrackInsertResult(inserted: 2, duplicates: 0))
        // The next batch sees the states the first stored.
        _ = try await store.evaluateWithLockedStates(vehicles: ["A"], fixes: [Self.fix("A", 1)]) { rows in
            #expect(rows == ["A": VehicleStateRow(body: Data("a1".utf8), pendingSince: 1)])
            return Self.evaluation(["A": VehicleStateRow(body: Data("a2".utf8), pendingSince: nil)], events: [Self.event("e1", vehicle: "A", end: 20)], urls: [])
        }
        #expect(try await store.fenceEvents(ids: ["e1", "nope"]).map(\.end) == [20])
        #expect(try await store.vehiclesWithPendingFixes(before: 100, limit: 10).isEmpty)

        // A failing evaluation commits nothing: no state, no event, no fix.
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.evaluateWithLockedStates(vehicles: ["C"], fixes: [Self.fix("C", 5)]) { _ in throw Refused() }
        }
        #expect(try await store.trackPoints(vehicle: "C", from: nil, to: nil).isEmpty)
        _ = try await store.evaluateWithLockedStates(vehicles: ["C"], fixes: []) { rows in
            #expect(rows.isEmpty)
            return Self.evaluation(["C": VehicleStateRow(body: Data("c".utf8), pendingSince: 3)], events: [], urls: [])
        }
        #expect(try await store.vehiclesWithPendingFixes(before: 100, limit: 10) == ["C"])
        #expect(try await store.vehiclesWithPendingFixes(before: 3, limit: 10).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func theOutboxHandsEachDeliveryToOneDispatcherUntilItIsDoneOrItsLeaseEnds(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.evaluateWithLockedStates(vehicles: ["A"], fixes: []) { _ in
            Self.evaluation([:], events: [Self.event("e1", vehicle: "A", end: nil), Self.event("e2", vehicle: "A", end: nil)], urls: ["http://h/1"])
        }
        let mine = try await store.claimDeliveries(owner: "replica-1", limit: 10, now: 100, lease: 30)
        #expect(mine.map(\.delivery.eventId) == ["e1", "e2"])
        #expect(try await store.claimDeliveries(owner: "replica-2", limit: 10, now: 110, lease: 30).isEmpty)
        try await store.completeDelivery(id: mine[0].id)
        try await store.retryDelivery(id: mine[1].id, at: 200)
        #expect(try await store.claimDeliveries(owner: "replica-2", limit: 10, now: 150, lease: 30).isEmpty)
        let retried = try await store.claimDeliveries(owner: "replica-2", limit: 10, now: 200, lease: 30)
        #expect(retried.map(\.delivery.eventId) == ["e2"] && retried.map(\.attempts) == [1])
        // A dispatcher that died with a lease: after the lease, another takes the delivery over.
        #expect(try await store.claimDeliveries(owner: "replica-3", limit: 10, now: 231, lease: 30).map(\.delivery.eventId) == ["e2"])
    }
}
