import Foundation
import GeoCore
import GeoStore
import Testing

@testable import GeoFences

/// What `FenceMonitor.ingest` leaves on disk when batches arrive concurrently or a commit fails: the stored
/// evaluator state is never older than an acknowledged answer, the fixes of every acknowledged batch are stored as
/// track points, and a failed batch leaves nothing behind.
@Suite struct FenceMonitorDurabilityTests {
    /// A position store in memory whose writes take a random while, as a busy database's do, so that
    /// concurrent writes can finish in another order than they started; it can be told to fail writes.
    actor SlowRepository: PositionStore {
        var fenceRows: [String: StoredFence] = [:]
        var events: [String: StoredFenceEvent] = [:]
        var states: [String: Data] = [:]
        var points: Set<TrackPoint> = []
        var failures = 0

        func failNextWrites(_ count: Int) { failures = count }

        private func pause() async throws(GeoError) {
            try? await Task.sleep(for: .microseconds(Int.random(in: 0...3000)))
            if failures > 0 {
                failures -= 1
                throw GeoError(code: .databaseError, message: "database write failed", underlying: "disk I/O error")
            }
        }

        func saveFence(_ fence: StoredFence) async throws(GeoError) { fenceRows[fence.id] = fence }
        func fence(id: String) async throws(GeoError) -> StoredFence? { fenceRows[id] }
        func fences() async throws(GeoError) -> [StoredFence] { fenceRows.values.sorted { $0.id < $1.id } }
        func deleteFence(id: String) async throws(GeoError) -> Bool { fenceRows.removeValue(forKey: id) != nil }
        func saveFenceEvents(_ rows: [StoredFenceEvent]) async throws(GeoError) {
            try await pause()
            for row in rows where events[row.id]?.end == nil { events[row.id] = row }
        }
        func fenceEvents(matching query: FenceEventQuery) async throws(GeoError) -> [StoredFenceEvent] {
            events.values.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        }
        func saveEvaluatorState(name: String, body: Data) async throws(GeoError) {
            try await pause()
            states[name] = body
        }
        func evaluatorState(name: String) async throws(GeoError) -> Data? { states[name] }
        /// One transaction: everything lands at its end, or nothing does.
        func saveFenceEvents(_ rows: [StoredFenceEvent], evaluatorState body: Data, name: String) async throws(GeoError) {
            try await pause()
            for row in rows where events[row.id]?.end == nil { events[row.id] = row }
            states[name] = body
        }
        func commitEvaluatedFixes(
            _ batches: [[TrackPoint]], events rows: [StoredFenceEvent], evaluatorState body: Data, name: String
        ) async throws(GeoError) -> [TrackInsertResult] {
            try await pause()
            for row in rows where events[row.id]?.end == nil { events[row.id] = row }
            states[name] = body
            return batches.map { batch in
                let new = batch.filter { points.insert($0).inserted }.count
                return TrackInsertResult(inserted: new, duplicates: batch.count - new)
            }
        }
        func insertTrackPoints(_ batch: [TrackPoint]) async throws(GeoError) -> TrackInsertResult {
            let new = batch.filter { points.insert($0).inserted }.count
            return TrackInsertResult(inserted: new, duplicates: batch.count - new)
        }
        func trackPoints(vehicle: String, from: Double?, to: Double?) async throws(GeoError) -> [TrackPoint] {
            points.filter { $0.vehicle == vehicle }.sorted { $0.time < $1.time }
        }
        func trackPoints(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> [TrackPoint] { [] }
        func trackVehicles(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> Set<String> { [] }
        func trackVehicles() async throws(GeoError) -> [TrackVehicleSummary] { [] }
    }

    /// 2026-11-23T08:00:00+08:00.
    static let t0 = 1_795_392_000.0

    /// Five fixes of `vehicle`, 10 s and about 19 m apart, inside the demo district.
    static func batch(_ vehicle: String) -> [TrackPoint] {
        (0..<5).map { k in
            TrackPoint(
                vehicle: vehicle, time: t0 + 10 * Double(k), coordinate: Coordinate(longitude: 120.46 + 0.0002 * Double(k), latitude: 33.2))
        }
    }

    static func storedState(_ repository: SlowRepository) async throws -> FenceEvaluatorState? {
        try await FencePersistence(repository).state(name: FenceMonitor.stateName)
    }

    @Test func concurrentBatchesLeaveTheNewestAcknowledgedStateOnDisk() async throws {
        let repository = SlowRepository()
        let service = try await FenceMonitor(store: repository, settings: FenceRuleSettings())
        // A registry, so that every other vehicle raises one 外来车辆 (unknownVehicle) event.
        try await service.setRegistry([Vehicle(id: "KNOWN", vehicleClass: "muck")])
        let batches = 40
        let answers = try await withThrowingTaskGroup(of: (accepted: Int, events: [String]).self) { group in
            for b in 0..<batches {
                group.addTask {
                    let result = try await service.ingest(Self.batch("V\(b)"), flush: true)
                    return (result.counters.accepted, result.events.map(\.id))
                }
            }
            var all: [(accepted: Int, events: [String])] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        // Every answer saw a distinct count: batches were evaluated one after the other.
        #expect(Set(answers.map(\.accepted)).count == batches)
        #expect(answers.map(\.accepted).max() == 5 * batches)
        let stored = try #require(try await Self.storedState(repository))
        #expect(stored.counters.accepted == 5 * batches)
        let acknowledgedEvents = Set(answers.flatMap(\.events))
        #expect(acknowledgedEvents.count == batches)
        #expect(acknowledgedEvents.isSubset(of: Set(await repository.events.keys)))
        // Every acknowledged fix is stored as a track point, once.
        #expect(await repository.points.count == 5 * batches)
    }

    @Test func aFailedCommitLeavesNothingOfTheBatchAndTheRetryCounts() async throws {
        let repository = SlowRepository()
        let service = try await FenceMonitor(store: repository, settings: FenceRuleSettings())
        try await service.setRegistry([Vehicle(id: "KNOWN", vehicleClass: "muck")])
        _ = try await service.ingest(Self.batch("FIRST"), flush: true)
        await repository.failNextWrites(1)
        await #expect(throws: GeoError.self) { try await service.ingest(Self.batch("T1"), flush: true) }
        #expect(try await Self.storedState(repository)?.counters.accepted == 5)
        // The client retries: the fixes are new to the evaluator, not duplicates, and raise their event.
        let retry = try await service.ingest(Self.batch("T1"), flush: true)
        #expect(retry.counters.accepted == 10)
        #expect(retry.counters.duplicates == 0 && retry.counters.late == 0)
        #expect(retry.events.map(\.kind) == [.unknownVehicle])
        #expect(retry.stored == TrackInsertResult(inserted: 5, duplicates: 0))
        #expect(await repository.points.filter { $0.vehicle == "T1" }.count == 5)
        #expect(try await Self.storedState(repository)?.counters.accepted == 10)
        #expect(await repository.events.values.filter { $0.vehicleId == "T1" }.count == 1)
    }

    @Test func aFailedGroupCommitFailsWhatWasEvaluatedOnTopOfItAndTheRetriesCount() async throws {
        let repository = SlowRepository()
        let service = try await FenceMonitor(store: repository, settings: FenceRuleSettings())
        await repository.failNextWrites(1)
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for b in 0..<30 {
                group.addTask { (b, (try? await service.ingest(Self.batch("V\(b)"), flush: true)) != nil) }
            }
            var all: [(Int, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let failed = outcomes.filter { !$0.1 }.map(\.0)
        #expect(!failed.isEmpty)
        // On disk and in memory: exactly the acknowledged batches.
        let storedAccepted = try await Self.storedState(repository)?.counters.accepted ?? 0
        #expect(storedAccepted == 5 * (30 - failed.count), "failed \(failed)")
        for b in failed {
            let retry = try await service.ingest(Self.batch("V\(b)"), flush: true)
            #expect(retry.counters.duplicates == 0 && retry.counters.late == 0)
        }
        #expect(try await Self.storedState(repository)?.counters.accepted == 150)
        #expect(await repository.points.count == 150)
    }
}
