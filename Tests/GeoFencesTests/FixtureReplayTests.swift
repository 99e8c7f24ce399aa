import Foundation
import GeoCore
import Testing

@testable import GeoFences

/// The files `citygeo fence replay` is shown with in the README: fences as GeoJSON, a trajectory CSV and a
/// vehicle registry, read the way the CLI reads them.
@Suite struct FixtureReplayTests {
    static func text(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func theFixtureTrajectoryReplaysToItsThreeEvents() throws {
        let fences = try GeoJSON.decodeFeatureCollection(try Self.text("fences.geojson")).features.map { try Fence(feature: $0) }
        #expect(fences.map(\.id) == ["area-A", "forbid-1", "dump-1"])
        #expect(fences[0].speedLimit(for: "kitchenWaste") == 30)
        #expect(fences[1].schedule == TimeWindow(weekdays: [1, 2, 3, 4, 5], startMinute: 420, endMinute: 1140))
        let positions = try TrackParser.parse(Array(try Self.text("truck.csv").utf8))
        #expect(positions.count == 42)
        let registry = VehicleRegistry([Vehicle(id: "苏J12345", vehicleClass: "muck", group: "north")])
        var evaluator = FenceEvaluator(fences: fences, registry: registry)
        let events = finalEvents(evaluator.ingest(positions) + evaluator.flush())
        // The truck drives east along 33.201 at 0.0002° (18.6 m) per 10 s, reporting 60 km/h for 08:00:50-08:01:40
        // in a 40 km/h area, and crosses the forbidden square 120.460-120.462 (10 m in at 08:01:50, out at 08:03:30).
        #expect(events.map { [$0.vehicleId, $0.kind.rawValue, $0.fenceId ?? "-", TimeText.format($0.start), $0.end.map { TimeText.format($0) } ?? "open"] } == [
            ["X9", "unknownVehicle", "-", "2026-11-23T08:00:50+08:00", "2026-11-23T08:00:50+08:00"],
            ["苏J12345", "overSpeed", "area-A", "2026-11-23T08:00:50+08:00", "2026-11-23T08:01:50+08:00"],
            ["苏J12345", "enteredForbiddenZone", "forbid-1", "2026-11-23T08:01:50+08:00", "2026-11-23T08:03:30+08:00"],
        ])
        // Outside its 07:00-19:00 schedule the forbidden zone raises nothing: the same drive at 20:00.
        let evening = positions.map { p in
            var q = p
            q.time += 12 * 3600
            return q
        }
        var later = FenceEvaluator(fences: fences, registry: registry)
        let eveningEvents = finalEvents(later.ingest(evening) + later.flush())
        #expect(eveningEvents.map(\.kind) == [.unknownVehicle, .overSpeed])
    }
}
