import Foundation
import GeoCore
import GeoStore
import Synchronization
import StoreBackends
import Testing

@testable import GeoFences

/// Cluster mode: two monitors ("replicas") over one database evaluate a vehicle's fixes in order and exactly once
/// whichever replica receives each batch, and raise exactly the events one evaluator over the whole feed raises.
/// Run on every backend (StoreBackend.all): two stores on one SpatiaLite file, as two processes would open it, and
/// two PostGIS stores on one database, whose change feed carries the events to every replica.
@Suite struct ClusterMonitorTests {
    /// Two replicas over one fresh database holding the scripted day's fences and registry.
    static func replicas(
        _ backend: StoreBackend, webhooks: [URL] = [], feed: Bool = false
    ) async throws -> (FenceMonitor, FenceMonitor, any CityStore) {
        let first = try await backend.make()
        let persistence = FencePersistence(first)
        for fence in MuckTruckDay.fences { try await persistence.save(fence) }
        try await first.saveEvaluatorState(name: FenceMonitor.registryName, body: try JSONEncoder().encode(MuckTruckDay.registry))
        func monitor(_ store: any CityStore) async throws -> FenceMonitor {
            try await FenceMonitor(
                store: store, settings: MuckTruckDay.settings,
                // Sweeps only when a test calls for one: a timed sweep would release held fixes behind its back.
                mode: .cluster(ClusterSettings(store: store, webhookURLs: webhooks, eventsArriveByFeed: feed, sweepInterval: .seconds(3_600))))
        }
        return (try await monitor(first), try await monitor(try await StoreBackend.replica(of: first)), first)
    }

    /// The scripted day cut in batches of `size` fixes in feed order.
    static func batches(size: Int) -> [[TrackPoint]] {
        let day = MuckTruckDay.day
        return stride(from: 0, to: day.count, by: size).map { Array(day[$0..<min($0 + size, day.count)]) }
    }

    static func describe(_ events: [FenceEvent]) -> [String] {
        finalEvents(events).map { "\($0.vehicleId) \($0.kind.rawValue) \($0.fenceId ?? "-") \($0.start) \($0.end.map { "\($0)" } ?? "open")" }
    }

    @Test(arguments: StoreBackend.all) func alternatingReplicasRaiseExactlyTheEventsOfOneEvaluator(backend: StoreBackend) async throws {
        let (a, b, store) = try await Self.replicas(backend)
        var emitted: [FenceEvent] = []
        var accepted = 0
        for (k, batch) in Self.batches(size: 7).enumerated() {
            let result = try await (k % 2 == 0 ? a : b).ingest(batch, flush: false)
            emitted += result.events
            accepted += result.counters.accepted
            #expect(result.stored.inserted == batch.count)
        }
        let flushed = try await a.ingest([], flush: true)
        emitted += flushed.events
        accepted += flushed.counters.accepted
        let reference = evaluate(MuckTruckDay.day).emitted
        #expect(Self.describe(emitted) == Self.describe(reference))
        #expect(accepted == MuckTruckDay.day.count)
        // Each snapshot stored once, every fix once.
        let stored = try await FencePersistence(store).events(matching: FenceEventQuery(limit: 100))
        #expect(Self.describe(stored) == Self.describe(reference))
        #expect(try await store.trackPoints(vehicle: "T1", from: nil, to: nil).count == MuckTruckDay.truck.count)
    }

    @Test(arguments: StoreBackend.all) func concurrentBatchesOfTwoReplicasEvaluateEveryFixOnce(backend: StoreBackend) async throws {
        let (a, b, store) = try await Self.replicas(backend)
        // The truck's fixes in order to replica A, the stranger's to B, concurrently; then everything again (a
        // client's retry to the other replica): no fix is evaluated twice, no event raised twice.
        let truck = MuckTruckDay.truck, stranger = MuckTruckDay.stranger
        async let first = a.ingest(truck, flush: false)
        async let second = b.ingest(stranger, flush: false)
        let (fromA, fromB) = try await (first, second)
        let retryOnB = try await b.ingest(truck, flush: false)
        let retryOnA = try await a.ingest(stranger, flush: false)
        #expect(retryOnB.counters.accepted == 0 && retryOnA.counters.accepted == 0)
        #expect(retryOnB.events.isEmpty && retryOnA.events.isEmpty)
        #expect(retryOnB.stored.duplicates == truck.count)
        // The end of the replay, sent to B: it releases what both vehicles still hold.
        let flushed = try await b.ingest([], flush: true)
        let stored = try await FencePersistence(store).events(matching: FenceEventQuery(limit: 100))
        let reference = evaluate(MuckTruckDay.day).emitted
        #expect(Self.describe(stored) == Self.describe(reference))
        #expect(fromA.counters.accepted + fromB.counters.accepted + flushed.counters.accepted == MuckTruckDay.day.count)
    }

    @Test(arguments: StoreBackend.all) func theSweepReleasesAQuietVehiclesHeldFixesOnce(backend: StoreBackend) async throws {
        let (a, b, store) = try await Self.replicas(backend)
        // The stranger reports once and goes quiet; the truck drives on. Its fix is held for reordering until the
        // feed's clock (the truck's fixes) passes it by the window; both replicas sweep, it is released once.
        _ = try await a.ingest(MuckTruckDay.stranger, flush: false)
        #expect(try await store.vehiclesWithPendingFixes(before: .infinity, limit: 10).contains("X9"))
        _ = try await b.ingest(Array(MuckTruckDay.truck.prefix(40)), flush: false)
        _ = try await a.ingest(Array(MuckTruckDay.truck.prefix(40).suffix(1)), flush: false)
        try await a.sweepQuietVehicles()
        try await b.sweepQuietVehicles()
        #expect(try await !store.vehiclesWithPendingFixes(before: .infinity, limit: 10).contains("X9"))
        let unknown = try await FencePersistence(store).events(matching: FenceEventQuery(vehicleId: "X9", limit: 10))
        #expect(unknown.map(\.kind) == [.unknownVehicle])
    }

    @Test(arguments: StoreBackend.all) func webhookDeliveriesAreEnqueuedOncePerEventAndURL(backend: StoreBackend) async throws {
        let hooks = [URL(string: "http://a.example/hook")!, URL(string: "http://b.example/hook")!]
        let (a, b, store) = try await Self.replicas(backend, webhooks: hooks)
        for (k, batch) in Self.batches(size: 11).enumerated() { _ = try await (k % 2 == 0 ? a : b).ingest(batch, flush: false) }
        _ = try await a.ingest(Array(MuckTruckDay.truck.suffix(1)), flush: true)
        let claimed = try await store.claimDeliveries(owner: "test", limit: 1_000, now: 0, lease: 60)
        let events = Set(evaluate(MuckTruckDay.day).emitted.map(\.id))
        #expect(Set(claimed.map(\.delivery.eventId)) == events)
        #expect(claimed.count == events.count * hooks.count)
    }

    @Test(arguments: StoreBackend.all) func withAFeedEveryReplicaPublishesWhatTheFeedCarriesOnce(backend: StoreBackend) async throws {
        let (a, _, store) = try await Self.replicas(backend, feed: true)
        let stream = await a.subscribe()
        // PostGIS pushes the committed snapshots itself (NOTIFY); SpatiaLite has no feed, and the test hands them over.
        let feed = try await store.changes()
        let result = try await a.ingest(MuckTruckDay.stranger, flush: true)
        #expect(result.events.map(\.kind) == [.unknownVehicle])
        // Nothing published by the commit itself: the feed delivers, to this replica as to the others.
        let snapshots = try await store.fenceEvents(ids: result.events.map(\.id))
        if let feed {
            var pushed: [StoredFenceEvent] = []
            for await change in feed {
                guard case .events(let events) = change else { continue }
                pushed += events
                try await a.apply(change)
                if pushed.count >= snapshots.count { break }
            }
            #expect(pushed == snapshots)
        } else {
            try await a.apply(.events(snapshots))
        }
        var received: [FenceEvent] = []
        for await event in stream {
            received.append(event)
            if received.count == snapshots.count { break }
        }
        #expect(received.map(\.id) == snapshots.map(\.id))
    }

    @Test(arguments: StoreBackend.all) func aFenceChangedOnOneReplicaIsFollowedByTheOtherOneFenceAtATime(backend: StoreBackend) async throws {
        let (a, b, store) = try await Self.replicas(backend)
        let feed = try await store.changes()
        // The change the feed announces (PostGIS), or the one it would (SpatiaLite has no feed).
        func announced(_ id: String) async throws -> StoreChange {
            guard let feed else { return .fence(id) }
            for await change in feed where change == .fence(id) { return change }
            throw GeoError(code: .internalError, message: "the feed ended")
        }
        var probe = try #require(MuckTruckDay.fences.first)
        probe.id = "probe"
        _ = try await a.create(probe)
        try await b.apply(try await announced("probe"))
        #expect(try await b.fence(id: "probe")?.version == 1)
        var moved = probe
        moved.name = "moved"
        _ = try await a.replace(id: "probe", with: moved)
        try await b.apply(try await announced("probe"))
        #expect(try await b.fence(id: "probe")?.version == 2)
        #expect(try await b.fence(id: "probe")?.name == "moved")
        // B's own change, announced back to it, changes nothing; A follows it.
        try await b.delete(id: "probe")
        try await b.apply(.fence("probe"))
        try await a.apply(try await announced("probe"))
        #expect(try await a.fence(id: "probe") == nil)
        #expect(try await b.fence(id: "probe") == nil)
        #expect(try await a.fences().count == MuckTruckDay.fences.count)
    }
}
