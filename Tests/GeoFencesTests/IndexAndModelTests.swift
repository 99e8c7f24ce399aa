import Foundation
import GeoCore
import GeoStore
import StoreBackends
import Testing

@testable import GeoFences

@Suite struct FenceIndexTests {
    /// A 1 km square with a 200 m hole in its middle, a second part far east, a corridor and a collection point.
    static let fences: [Fence] = [
        Fence(
            id: "ring", kind: .area, role: .forbiddenZone,
            polygons: [
                [
                    [Site.ll(0, 0), Site.ll(1000, 0), Site.ll(1000, 1000), Site.ll(0, 1000), Site.ll(0, 0)],
                    [Site.ll(400, 400), Site.ll(600, 400), Site.ll(600, 600), Site.ll(400, 600), Site.ll(400, 400)],
                ],
                [[Site.ll(3000, 0), Site.ll(3100, 0), Site.ll(3100, 100), Site.ll(3000, 100), Site.ll(3000, 0)]],
            ]),
        Fence(id: "road", kind: .corridor, line: [Site.ll(0, 2000), Site.ll(1000, 2000), Site.ll(1000, 3000)], corridorWidthMetres: 40),
        Fence(id: "bin", kind: .collectionPoint, center: Site.ll(2000, 2000), radiusMetres: 25),
    ]
    static let index = FenceIndex(fences, reach: 50, cellSize: 100)
    /// The index's frame is centred on the fences, the script's on the site origin 1.5 km away: their scales
    /// differ by about 1.5e-4, so distances agree to a few centimetres per 100 m.
    static let tolerance = 0.05

    static func hit(_ id: String, _ x: Double, _ y: Double) -> FenceHit? {
        let f = index.positionById[id]!
        return index.query(Site.ll(x, y)).first { $0.fence == f }
    }

    @Test(arguments: [
        // (x, y, inside, signed metres to the boundary)
        (100.0, 500.0, true, 100.0), (420.0, 500.0, false, -20.0), (380.0, 500.0, true, 20.0),
        (-30.0, 500.0, false, -30.0), (3050.0, 50.0, true, 50.0), (3120.0, 50.0, false, -20.0),
    ])
    func areaDepthsHonourHolesAndParts(x: Double, y: Double, inside: Bool, depth: Double) throws {
        let hit = try #require(Self.hit("ring", x, y))
        #expect(hit.inside == inside)
        #expect(abs(hit.distance - depth) < Self.tolerance)
        #expect(abs(hit.outsideBy + depth) < Self.tolerance)
    }

    @Test func fencesBeyondReachAreNotReported() {
        #expect(Self.hit("ring", -80, 500) == nil)
        #expect(Self.hit("ring", 2000, 500) == nil)
        // Exact distance however far, for measuring.
        #expect(abs(Self.index.outsideBy(fence: 0, position: Site.ll(-80, 500)) - 80) < Self.tolerance)
    }

    @Test(arguments: [
        (500.0, 2015.0, true, 15.0), (500.0, 2050.0, false, 50.0), (1030.0, 2500.0, false, 30.0),
        // Past the line's end: distance to the end point.
        (-30.0, 2040.0, false, 50.0),
    ])
    func corridorDistancesAreToTheNearestSegment(x: Double, y: Double, inside: Bool, distance: Double) throws {
        let hit = try #require(Self.hit("road", x, y))
        #expect(hit.inside == inside)
        #expect(abs(hit.distance - distance) < Self.tolerance)
        #expect(abs(hit.outsideBy - (distance - 20)) < Self.tolerance)
    }

    @Test func collectionPointsAreCircles() throws {
        #expect(try #require(Self.hit("bin", 2020, 2000)).inside)
        #expect(try #require(Self.hit("bin", 2030, 2000)).inside == false)
        #expect(Self.hit("bin", 2100, 2000) == nil)
    }

    @Test func theIndexAgreesWithABruteForceTestOnAGridOfPoints() {
        // Every 7 m over the area: the grid-bucketed answer equals the whole-fence computation.
        var checked = 0
        for x in stride(from: -100.0, through: 1100, by: 7) {
            for y in stride(from: -100.0, through: 1100, by: 7) {
                let exact = -Self.index.outsideBy(fence: 0, position: Site.ll(x, y))
                let hit = Self.hit("ring", x, y)
                if exact > -50 {
                    #expect(hit.map { abs($0.distance - exact) < 1e-6 } == true, "\(x) \(y)")
                } else {
                    #expect(hit == nil)
                }
                checked += 1
            }
        }
        #expect(checked == 172 * 172)
    }
}

@Suite struct FenceModelTests {
    // 2026-11-23 is a Monday; t0 is 08:00 local.
    static let weekdayMornings = TimeWindow(weekdays: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 600)

    @Test func windowsAreReadInChinaStandardTime() {
        let w = Self.weekdayMornings
        #expect(!w.contains(Site.t0 + 3599))
        #expect(w.contains(Site.t0 + 3600))
        #expect(!w.contains(Site.t0 + 7200))
        // Saturday 2026-11-28 09:30 local.
        #expect(!w.contains(Site.t0 + 5 * 86_400 + 5400))
        // Friday.
        #expect(w.contains(Site.t0 + 4 * 86_400 + 5400))
    }

    @Test func windowsPastMidnightBelongToTheirStartDay() {
        // Monday 22:00 to 02:00.
        let night = TimeWindow(weekdays: [1], startMinute: 1320, endMinute: 120)
        #expect(night.contains(Site.t0 + 14 * 3600 + 60))  // Monday 22:01
        #expect(night.contains(Site.t0 + 17 * 3600 + 60))  // Tuesday 01:01
        #expect(!night.contains(Site.t0 + 18 * 3600 + 60))  // Tuesday 02:01
        #expect(!night.contains(Site.t0 + 86_400 + 14 * 3600 + 60))  // Tuesday 22:01
        let week = Self.weekdayMornings.occurrences(endingAfter: Site.t0, upTo: Site.t0 + 7 * 86_400)
        let starts: [Double] = week.map { $0.start - Site.t0 }
        let expected: [Double] = [3600, 90_000, 176_400, 262_800, 349_200]  // Monday to Friday 09:00
        #expect(starts == expected)
    }

    @Test func selectorsMatchByIdGroupOrClass() {
        let truck = Vehicle(id: "T1", vehicleClass: "muck", group: "north")
        #expect(VehicleSelector.all.matches(id: "X", vehicle: nil))
        #expect(VehicleSelector(groups: ["north"]).matches(id: "T1", vehicle: truck))
        #expect(!VehicleSelector(groups: ["south"]).matches(id: "T1", vehicle: truck))
        #expect(VehicleSelector(classes: ["muck"]).matches(id: "T1", vehicle: truck))
        #expect(!VehicleSelector(classes: ["muck"]).matches(id: "T1", vehicle: nil))
        #expect(VehicleSelector(vehicles: ["T1"]).matches(id: "T1", vehicle: nil))
    }

    @Test func classLimitsOverrideTheFenceLimit() {
        let f = Fence(id: "a", kind: .area, role: .allowedArea, polygons: Site.square(0, 0, 1, 1), speedLimitKmh: 40, speedLimitsByClass: ["muck": 30])
        #expect(f.speedLimit(for: "muck") == 30)
        #expect(f.speedLimit(for: "sanitation") == 40)
        #expect(f.speedLimit(for: nil) == 40)
    }

    @Test(arguments: [
        (Fence(id: "", kind: .collectionPoint, center: Site.ll(0, 0), radiusMetres: 5), "id"),
        (Fence(id: "a", kind: .area, polygons: Site.square(0, 0, 1, 1)), "role"),
        (Fence(id: "a", kind: .area, role: .forbiddenZone), "polygons"),
        (Fence(id: "c", kind: .corridor, line: [Site.ll(0, 0), Site.ll(1, 1)]), "corridorWidthMetres"),
        (Fence(id: "p", kind: .collectionPoint, radiusMetres: 5), "center"),
        (Fence(id: "p", kind: .collectionPoint, center: Site.ll(0, 0), radiusMetres: 5, schedule: TimeWindow(weekdays: [8], startMinute: 0, endMinute: 60)), "schedule.weekdays"),
    ])
    func invalidDefinitionsNameTheirField(fence: Fence, field: String) {
        #expect(throws: GeoError.self) { try fence.validate() }
        do {
            try fence.validate()
        } catch {
            #expect(error.code == .invalidFence)
            #expect(error.location == field)
        }
    }

    @Test func selfIntersectingPolygonsAreRefusedWithGEOSsReason() throws {
        let bowTie = Fence(
            id: "bow", kind: .area, role: .forbiddenZone,
            polygons: [[[Site.ll(0, 0), Site.ll(100, 100), Site.ll(100, 0), Site.ll(0, 100), Site.ll(0, 0)]]])
        try bowTie.validate()  // well formed as data ...
        do {
            try bowTie.validateShape()  // ... but not a polygon
            Issue.record("a bow-tie passed")
        } catch {
            #expect(error.code == .invalidFence)
            #expect(error.location == "geometry")
            #expect(error.message.contains("Self-intersection"))
        }
        for fence in MuckTruckDay.fences { try fence.validateShape() }
    }

    @Test func fencesRoundTripThroughJSON() throws {
        for fence in MuckTruckDay.fences {
            let decoded = try JSONDecoder().decode(Fence.self, from: try JSONEncoder().encode(fence))
            #expect(decoded == fence)
            try fence.validate()
        }
    }
}

@Suite struct PersistenceTests {
    @Test(arguments: StoreBackend.all)
    func fencesEventsAndStatesRoundTripThroughTheStore(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let persistence = FencePersistence(store)
        for fence in MuckTruckDay.fences { try await persistence.save(fence) }
        #expect(try await persistence.fences() == MuckTruckDay.fences.sorted { $0.id < $1.id })

        // A new version replaces the old one.
        var changed = MuckTruckDay.fences[1]
        changed.version = 2
        changed.name = "禁区 1 (扩大)"
        try await persistence.save(changed)
        #expect(try await persistence.fence(id: "forbid-1") == changed)
        #expect(try await persistence.fences().count == 5)
        #expect(try await persistence.deleteFence(id: "forbid-1"))
        #expect(try await persistence.deleteFence(id: "forbid-1") == false)
        #expect(try await persistence.fence(id: "forbid-1") == nil)

        // Every snapshot of the day, as a server would save them as they come: one row per event, the last.
        let (emitted, evaluator) = evaluate(MuckTruckDay.day)
        for e in emitted { try await persistence.save([e]) }
        let stored = try await persistence.events()
        #expect(stored == finalEvents(emitted))
        // The same snapshots again (a replay after a restart) change nothing.
        try await persistence.save(emitted)
        #expect(try await persistence.events() == stored)

        #expect(try await persistence.events(matching: FenceEventQuery(vehicleId: "X9")).map(\.kind) == [.unknownVehicle])
        #expect(try await persistence.events(matching: FenceEventQuery(kind: "offRoute")).map(\.fenceId) == ["route-1"])
        #expect(try await persistence.events(matching: FenceEventQuery(fenceId: "area-A")).map(\.kind) == [.overSpeed, .leftAssignedArea])
        // Overlapping 08:30-08:40: left the area at 510 (08:08:30) and came back at 3270; in the zone 590-630.
        let window = FenceEventQuery(from: Site.t0 + 1800, to: Site.t0 + 2400)
        #expect(try await persistence.events(matching: window).map(\.kind) == [.leftAssignedArea, .suspectedDumping])
        #expect(try await persistence.events(matching: FenceEventQuery(open: true)).isEmpty)
        #expect(try await persistence.events(matching: FenceEventQuery(limit: 2)).count == 2)

        // A closed event is final: an open snapshot of it arriving late does not reopen it.
        let open = emitted.first { $0.isOpen }!
        try await persistence.save([open])
        #expect(try await persistence.events(matching: FenceEventQuery(open: true)).isEmpty)
        #expect(try await persistence.events(matching: FenceEventQuery(kind: open.kind.rawValue)).first?.end != nil)

        try await persistence.save(state: evaluator.state, name: "main")
        #expect(try await persistence.state(name: "main") == evaluator.state)
        #expect(try await persistence.state(name: "other") == nil)
    }

    @Test(arguments: StoreBackend.all)
    func invalidFencesAreRefusedBeforeTheStore(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        await #expect(throws: GeoError.self) {
            try await FencePersistence(store).save(Fence(id: "x", kind: .corridor, line: [Site.ll(0, 0)], corridorWidthMetres: 10))
        }
        #expect(try await store.fences().isEmpty)
    }
}

@Suite struct FenceGeoJSONTests {
    @Test func fencesRoundTripThroughGeoJSONFeatures() throws {
        for fence in MuckTruckDay.fences {
            let text = try GeoJSON.encode(fence.feature)
            #expect(try Fence(feature: GeoJSON.decodeFeature(text)) == fence)
        }
        let point = try GeoJSON.decodeFeature(#"{"type":"Feature","geometry":{"type":"Point","coordinates":[120.46,33.2]},"properties":{"id":"p","kind":"corridor","radiusMetres":5}}"#)
        #expect(throws: GeoError.self) { try Fence(feature: point) }
    }
}
