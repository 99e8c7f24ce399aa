import Foundation
import GeoCore
import GeoStore
import Synchronization
import StoreBackends
import Testing

@testable import GeoTrajectories

@Suite struct StoreAndPassageTests {
    @Test(arguments: StoreBackend.all)
    func storeRoundTripTimeRangesAndIdempotentImport(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let day = DemoRoads.day(11)
        let result = try await store.insertTrackPoints(day.points)
        // The injected duplicates are exact copies: the unique index keeps one of each.
        #expect(result.duplicates == day.truth.injectedDuplicates)
        #expect(result.inserted == day.points.count - day.truth.injectedDuplicates)
        let again = try await store.insertTrackPoints(day.points)
        #expect(again.inserted == 0 && again.duplicates == day.points.count)

        let all = try await store.trackPoints(vehicle: day.vehicle, from: nil, to: nil)
        #expect(all.count == result.inserted)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(Set(all) == Set(day.points))

        let t1 = DemoRoads.morning + 600, t2 = DemoRoads.morning + 1800
        let window = try await store.trackPoints(vehicle: day.vehicle, from: t1, to: t2)
        let expected = Set(day.points.filter { $0.time >= t1 && $0.time <= t2 })
        #expect(window.count == expected.count && Set(window) == expected)
        #expect(try await store.trackPoints(vehicle: "nobody", from: nil, to: nil).isEmpty)

        let summary = try await store.trackVehicles()
        #expect(summary == [TrackVehicleSummary(vehicle: day.vehicle, pointCount: result.inserted,
                                                firstTime: day.points.map(\.time).min()!, lastTime: day.points.map(\.time).max()!)])

        // Cells: the points of one cell in a time window.
        let probe = day.points.first { $0.longitude != 0 }!
        let cell = TrackCell.cell(longitude: probe.longitude, latitude: probe.latitude)
        let inCell = try await store.trackPoints(inCells: [cell], from: 0, to: .greatestFiniteMagnitude)
        #expect(Set(inCell) == Set(day.points.filter { TrackCell.cell(longitude: $0.longitude, latitude: $0.latitude) == cell }))
        #expect(inCell.contains(probe))
    }

    @Test(arguments: StoreBackend.all)
    func batchedInsertMatchesOneTransaction(_ backend: StoreBackend) async throws {
        let day = DemoRoads.day(12)
        let one = try await backend.make(), batched = try await backend.make()
        let whole = try await one.insertTrackPoints(day.points)
        let calls = Mutex<[Int]>([])
        let parts = try await batched.insertTrackPoints(day.points, batchSize: 100) { done, _ in calls.withLock { $0.append(done) } }
        #expect(parts == whole)
        let expectedCalls = Array(stride(from: 100, to: day.points.count, by: 100)) + [day.points.count]
        #expect(calls.withLock { $0 } == expectedCalls)
        #expect(try await batched.trackPoints(vehicle: day.vehicle, from: nil, to: nil) == one.trackPoints(vehicle: day.vehicle, from: nil, to: nil))
        await #expect(throws: GeoError.self) { try await batched.insertTrackPoints(day.points, batchSize: 0) }
    }

    @Test(arguments: StoreBackend.all)
    func aCountryIsTooLargeForTheStoreQuery(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let china = Polygon(exterior: [Coordinate(x: 73, y: 18), Coordinate(x: 135, y: 18), Coordinate(x: 135, y: 54), Coordinate(x: 73, y: 54), Coordinate(x: 73, y: 18)])
        let error = await #expect(throws: GeoError.self) { try await store.passages(.polygon(china), from: 0, to: 1) }
        #expect(error?.code == .invalidArea)
    }

    @Test(arguments: StoreBackend.all)
    func insertIsAllOrNothing(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let good = Metres.point(0, 0, t: 0)
        let bad = TrackPoint(vehicle: "V1", time: .nan, longitude: 120, latitude: 33)
        await #expect(throws: GeoError.self) { try await store.insertTrackPoints([good, bad]) }
        #expect(try await store.trackVehicles().isEmpty)
        // Every field survives the round trip, optional ones included.
        let full = TrackPoint(vehicle: "苏J0001", time: 1_795_392_000.25, longitude: 120.4651234, latitude: 33.1987654,
                              speed: 23.4, heading: 271, status: "working")
        let bare = TrackPoint(vehicle: "苏J0001", time: 1_795_392_010, longitude: 120.466, latitude: 33.199)
        #expect(try await store.insertTrackPoints([bare, full]) == TrackInsertResult(inserted: 2, duplicates: 0))
        #expect(try await store.trackPoints(vehicle: "苏J0001", from: nil, to: nil) == [full, bare])
        #expect(try await store.trackPoints(vehicle: "苏J0001", from: 1_795_392_000.5, to: nil) == [bare])
    }

    @Test(arguments: StoreBackend.all)
    func whoPassedHereFindsExactlyTheVehiclesThatDroveTheSection(_ backend: StoreBackend) async throws {
        // Eight vehicles, starting 20 minutes apart.
        let days = (0..<8).map { DemoRoads.day(UInt64(100 + $0), start: DemoRoads.morning + Double($0) * 1200) }
        let cleaner = TrackCleaner()
        let clean = days.flatMap { cleaner.clean($0.points).points }
        let index = PassageIndex(points: clean)
        let network = DemoRoads.network
        let radius = 30.0

        // Sections: the middle 40 % of every edge of at least 300 m; truth from the noise-free paths.
        var checked = 0, partial = 0
        let store = try await backend.make()
        _ = try await store.insertTrackPoints(days.flatMap(\.points))
        for edge in network.edges where edge.length >= 300 {
            let a = edge.path.first!, b = edge.path.last!
            // Straight edges only, so that the middle 40 % is a two-point line.
            guard edge.path.count == 2 else { continue }
            let p = Coordinate(x: a.x + (b.x - a.x) * 0.3, y: a.y + (b.y - a.y) * 0.3)
            let q = Coordinate(x: a.x + (b.x - a.x) * 0.7, y: a.y + (b.y - a.y) * 0.7)
            let section = LineString([network.frame.unproject(p), network.frame.unproject(q)])
            var truth: [String: (Double, Double)] = [:]
            for day in days {
                let near = day.truth.truePath.filter { point in
                    let xy = network.frame.project(point.coordinate)
                    let (dx, dy) = (q.x - p.x, q.y - p.y)
                    let t = max(0, min(1, ((xy.x - p.x) * dx + (xy.y - p.y) * dy) / (dx * dx + dy * dy)))
                    return hypot(p.x + t * dx - xy.x, p.y + t * dy - xy.y) <= radius
                }
                if let first = near.first, let last = near.last { truth[day.vehicle] = (first.time, last.time) }
            }
            guard !truth.isEmpty else { continue }
            checked += 1
            if truth.count < days.count { partial += 1 }
            let found = index.passages(.line(section, radius: radius), from: 0, to: .greatestFiniteMagnitude)
            #expect(found.map(\.vehicle) == truth.keys.sorted(), "edge \(edge.from)-\(edge.to)")
            for passage in found {
                guard let (first, last) = truth[passage.vehicle] else { continue }
                #expect(abs(passage.firstTime - first) <= 10 && abs(passage.lastTime - last) <= 10)
            }
            let stored = try await store.passages(.line(section, radius: radius), from: 0, to: .greatestFiniteMagnitude)
            #expect(stored.map(\.vehicle) == found.map(\.vehicle))

            // A window that ends before a vehicle got there leaves it out.
            if let (vehicle, (first, _)) = truth.min(by: { $0.value.0 < $1.value.0 }) {
                let early = index.passages(.line(section, radius: radius), from: 0, to: first - 60)
                #expect(!early.map(\.vehicle).contains(vehicle))
            }
        }
        // 140 sections were driven by someone; on most, only some of the eight vehicles passed.
        #expect(checked >= 100 && partial >= 100)
    }

    @Test func polygonAndPointAreas() {
        // One vehicle drives east along y = 0 from x = 0 to 2000 m at 10 m/s.
        let points = (0...200).map { Metres.point(Double($0) * 10, 0, t: Double($0)) }
        let index = PassageIndex(points: points)
        let box = Polygon(exterior: [(500.0, -20.0), (700, -20), (700, 20), (500, 20), (500, -20)].map { Metres.c($0.0, $0.1) })
        let inBox = index.passages(.polygon(box), from: 0, to: 1000)
        #expect(inBox.count == 1 && abs(inBox[0].firstTime - 50) < 0.6 && abs(inBox[0].lastTime - 70) < 0.6)
        let near = index.passages(.point(Metres.c(1000, 40), radius: 50), from: 0, to: 1000)
        // Within 50 m of (1000, 40): x in 1000 ± 30.
        #expect(near.count == 1 && abs(near[0].firstTime - 97) < 0.6 && abs(near[0].lastTime - 103) < 0.6)
        #expect(index.passages(.point(Metres.c(1000, 80), radius: 50), from: 0, to: 1000).isEmpty)
        // A polygon far larger than the index (the index is walked instead of the area's cells): same answer.
        let huge = Polygon(exterior: [(-50_000.0, -50_000.0), (50_000, -50_000), (50_000, 50_000), (-50_000, 50_000), (-50_000, -50_000)].map { Metres.c($0.0, $0.1) })
        let all = index.passages(.polygon(huge), from: 0, to: 1000)
        #expect(all.count == 1 && all[0].firstTime == 0 && all[0].lastTime == 200)
        #expect(TrackCell.cellCount(covering: BoundingBox(minX: 120.4601, minY: 33.1901, maxX: 120.4675, maxY: 33.1939)) == 4 * 2)
    }

    @Test func fixesFurtherApartThanTheGapAreNotJoined() {
        // Fix at x = 0 then, an hour later, at x = 2000 m: the vehicle was not seen driving through x = 1000.
        let points = [Metres.point(0, 0, t: 0), Metres.point(2000, 0, t: 3600)]
        let index = PassageIndex(points: points)
        let middle = PassageArea.point(Metres.c(1000, 0), radius: 50)
        #expect(index.passages(middle, from: 0, to: 4000).isEmpty)
        // Only the two fixes' own cells are indexed, not the ten between them.
        #expect(index.cellCount == 2)
        // With a gap allowance of two hours, the hour-long segment is driving: x 950-1050 at t 1710-1890, found
        // within one 5 m walking step (9 s at this speed).
        let patient = PassageIndex(points: points, maximumGap: 7200)
        let passed = patient.passages(middle, from: 0, to: 4000)
        #expect(passed.count == 1 && abs(passed[0].firstTime - 1710) < 10 && abs(passed[0].lastTime - 1890) < 10, "\(passed)")
    }
}
