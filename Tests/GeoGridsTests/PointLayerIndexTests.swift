import Foundation
import GeoCore
import GeoGrids
import Testing

/// k-nearest and within queries against brute force over 5,000 seeded points around the 大丰 city centre.
@Suite struct PointLayerIndexTests {
    static let features: [Feature] = {
        var rng = SeededGenerator(seed: 320_904)
        let kinds = ["camera", "staff", "component"]
        return (0..<5_000).map { k in
            Feature(
                geometry: .point(Point(Coordinate(x: 120.46 + rng.uniform(-0.05...0.05), y: 33.20 + rng.uniform(-0.04...0.04)))),
                properties: ["kind": .string(kinds[k % 3]), "age": .int(Int64(k % 10)), "code": .string(String(format3: k % 1_000))])
        }
    }()
    static let index = PointLayerIndex(features)

    static func position(_ k: Int) -> Coordinate {
        guard case .point(let p)? = features[k].geometry else { return Coordinate(x: .nan, y: .nan) }
        return p.coordinate
    }

    static func bruteForce(_ q: Coordinate, filter: AttributeFilter?) -> [Neighbour] {
        features.indices.filter { filter?.matches(features[$0].properties) ?? true }
            .map { Neighbour(index: $0, distanceMetres: Geodesic.haversineDistance(from: q, to: position($0))) }
            .sorted { ($0.distanceMetres, $0.index) < ($1.distanceMetres, $1.index) }
    }

    @Test func nearestAgreesWithBruteForce() throws {
        var rng = SeededGenerator(seed: 7)
        let filter = try AttributeFilter(parsing: "kind=camera|staff,age>=3")
        for trial in 0..<400 {
            // Queries inside, at the edge of and far outside the point cloud.
            let spread = trial % 4 == 0 ? 0.5 : 0.06
            let q = Coordinate(x: 120.46 + rng.uniform(-spread...spread), y: 33.20 + rng.uniform(-spread...spread))
            let k = 1 + trial % 7
            let useFilter = trial % 2 == 0 ? filter : nil
            #expect(Self.index.nearest(to: q, k: k, filter: useFilter) == Array(Self.bruteForce(q, filter: useFilter).prefix(k)), "query \(q)")
        }
    }

    @Test func withinRadiusAgreesWithBruteForce() {
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<200 {
            let q = Coordinate(x: 120.46 + rng.uniform(-0.07...0.07), y: 33.20 + rng.uniform(-0.06...0.06))
            let radius = rng.uniform(10...800)
            #expect(Self.index.within(radiusMetres: radius, of: q) == Self.bruteForce(q, filter: nil).filter { $0.distanceMetres <= radius })
        }
    }

    @Test func maxDistanceLimitsNearest() {
        let q = Self.position(42)
        let result = Self.index.nearest(to: q, k: 50, maxDistanceMetres: 150)
        #expect(result.first == Neighbour(index: 42, distanceMetres: 0))
        #expect(result.allSatisfy { $0.distanceMetres <= 150 })
        #expect(result.count == Self.bruteForce(q, filter: nil).filter { $0.distanceMetres <= 150 }.prefix(50).count)
    }

    @Test func withinPolygonHonoursHoles() {
        let ring = [Coordinate(x: 120.44, y: 33.18), Coordinate(x: 120.48, y: 33.18), Coordinate(x: 120.48, y: 33.22), Coordinate(x: 120.44, y: 33.22), Coordinate(x: 120.44, y: 33.18)]
        let hole = [Coordinate(x: 120.45, y: 33.19), Coordinate(x: 120.45, y: 33.21), Coordinate(x: 120.47, y: 33.21), Coordinate(x: 120.47, y: 33.19), Coordinate(x: 120.45, y: 33.19)]
        let found = Self.index.within(polygon: .polygon(Polygon(exterior: ring, holes: [hole])))
        let expected = Self.features.indices.filter {
            let p = Self.position($0)
            return Planar.ring(ring, contains: p) && !Planar.ring(hole, contains: p)
        }
        #expect(found == expected)
        #expect(found.count > 500)
    }

    @Test func emptyAndInvalidQueriesFindNothing() {
        #expect(Self.index.nearest(to: Coordinate(x: 200, y: 0), k: 3).isEmpty)
        #expect(Self.index.nearest(to: Coordinate(x: 120.46, y: 33.2), k: 0).isEmpty)
        #expect(PointLayerIndex([]).nearest(to: Coordinate(x: 120.46, y: 33.2), k: 3).isEmpty)
        // The far side of the world still finds the nearest point, and quickly (the rings start at the grid).
        #expect(Self.index.nearest(to: Coordinate(x: -60, y: -33), k: 1).count == 1)
    }
}

@Suite struct AttributeFilterTests {
    static let properties: [String: JSONValue] = ["kind": "渣土车", "status": "on_duty", "age": 3, "weight": 12.5, "code": "0032", "active": true]

    @Test(arguments: [
        ("kind=渣土车", true), ("kind=渣土车|餐厨车", true), ("kind=餐厨车", false), ("kind!=餐厨车", true), ("kind!=渣土车", false),
        ("age>=3", true), ("age>3", false), ("age<4,weight<=12.5", true), ("weight>12.5", false), ("age=3", true), ("age=3.0", true),
        ("active=true", true), ("code=0032", true), ("missing=1", false), ("missing!=1", true), ("status=on_duty,age<3", false),
    ])
    func clausesEvaluate(text: String, expected: Bool) throws {
        #expect(try AttributeFilter(parsing: text).matches(Self.properties) == expected, "\(text)")
    }

    @Test(arguments: ["kind", "=x", "age>=old", "age>", ""])
    func malformedClausesAreNamed(text: String) {
        #expect {
            _ = try AttributeFilter(parsing: text)
        } throws: { ($0 as? GeoError)?.code == .invalidFilter }
    }
}

@Suite struct CaseDuplicateTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)
    static let origin = Coordinate(x: 120.465, y: 33.199)

    /// A point `metres` north of the origin.
    static func north(_ metres: Double) -> Coordinate { Coordinate(x: origin.x, y: origin.y + metres / 111_194.93) }

    static func record(_ id: String, _ category: String = "垃圾满溢", days: Double, metres: Double, grid: String? = "320904001001001", status: String = "accepted") -> CaseRecord {
        CaseRecord(id: id, category: category, time: base.addingTimeInterval(days * 86_400), position: north(metres), gridCode: grid, status: status)
    }

    @Test func matchesBySameGridOrDistanceInsideTheWindow() {
        let detector = CaseDuplicateDetector(cases: [
            Self.record("near", days: -1, metres: 20, grid: "320904001001002"),
            Self.record("same-grid-far", days: -2, metres: 300),
            Self.record("edge-distance", days: -3, metres: 49.99, grid: nil),
            Self.record("too-far", days: -3, metres: 51, grid: nil),
            Self.record("edge-window", days: -30, metres: 10),
            Self.record("too-old", days: -30.01, metres: 10),
            Self.record("other-category", "占道经营", days: -1, metres: 5),
            Self.record("voided", days: -1, metres: 5, status: "voided"),
            Self.record("later", days: 1, metres: 5),
        ])
        #expect(detector.count == 9)
        let new = Self.record("new", days: 0, metres: 0)
        let matches = detector.duplicates(of: new)
        #expect(matches.map(\.record.id) == ["edge-window", "near", "edge-distance", "same-grid-far"])
        #expect(matches.first { $0.record.id == "same-grid-far" }?.reasons == [.sameGrid])
        #expect(matches.first { $0.record.id == "near" }?.reasons == [.withinDistance])
        #expect(matches.first { $0.record.id == "edge-window" }?.reasons == [.sameGrid, .withinDistance])
        let near = matches.first { $0.record.id == "near" }!
        #expect(abs(near.distanceMetres - 20) < 0.01)
    }

    @Test func categoryRulesAndStatusesAreConfigurable() {
        var detector = CaseDuplicateDetector(cases: [
            Self.record("a", days: -0.5, metres: 8, grid: nil), Self.record("b", days: -2, metres: 8, grid: nil),
            Self.record("c", days: -0.5, metres: 12, grid: nil), Self.record("v", days: -0.5, metres: 1, grid: nil, status: "voided"),
        ])
        detector.categoryRules["垃圾满溢"] = .init(distanceMetres: 10, window: 86_400, sameGridMatches: false)
        let new = Self.record("new", days: 0, metres: 0)
        #expect(detector.duplicates(of: new).map(\.record.id) == ["a"])
        detector.excludedStatuses = []
        #expect(detector.duplicates(of: new).map(\.record.id) == ["v", "a"])
    }
}

@Suite struct GridAggregatorTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    static let records = [
        GridAggregator.Record(gridCode: "320904001001001", time: t0, value: 2),
        GridAggregator.Record(gridCode: "320904001001001", time: t0.addingTimeInterval(10), value: 3),
        GridAggregator.Record(gridCode: "320904001001002", time: t0.addingTimeInterval(20), value: 5),
        GridAggregator.Record(gridCode: "320904001002001", time: t0.addingTimeInterval(30), value: 7),
        GridAggregator.Record(gridCode: "320904002001001", time: t0.addingTimeInterval(40), value: 11),
        GridAggregator.Record(gridCode: "320904002001001", time: t0.addingTimeInterval(100), value: 13),
    ]

    @Test func countsAndSumsPerLevelOverAHalfOpenRange() throws {
        let to = Self.t0.addingTimeInterval(100)  // excludes the last record
        let grids = try GridAggregator.aggregate(Self.records, level: .unitGrid, from: Self.t0, to: to)
        #expect(grids.map(\.code) == ["320904001001001", "320904001001002", "320904001002001", "320904002001001"])
        #expect(grids.map(\.count) == [2, 1, 1, 1])
        #expect(grids.map(\.sum) == [5, 5, 7, 11])
        let communities = try GridAggregator.aggregate(Self.records, level: .community, from: Self.t0, to: to)
        #expect(communities.map(\.code) == ["320904001001", "320904001002", "320904002001"])
        #expect(communities.map(\.count) == [3, 1, 1])
        let streets = try GridAggregator.aggregate(Self.records, level: .street, from: Self.t0.addingTimeInterval(10), to: to.addingTimeInterval(1))
        #expect(streets.map(\.code) == ["320904001", "320904002"])
        #expect(streets.map(\.count) == [3, 2])
        #expect(streets.map(\.sum) == [15, 24])
    }

    @Test func anEmptyRangeIsRefused() {
        #expect {
            _ = try GridAggregator.aggregate(Self.records, level: .street, from: Self.t0, to: Self.t0)
        } throws: { ($0 as? GeoError)?.code == .invalidArgument }
    }

    @Test func heatCellsCountPositions() throws {
        let box = BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.41, maxY: 33.11)
        let points = [Coordinate(x: 120.4001, y: 33.1001), Coordinate(x: 120.4002, y: 33.1002), Coordinate(x: 120.4099, y: 33.1099), Coordinate(x: 121, y: 33)]
        let cells = try GridAggregator.heat(points, box: box, cellMetres: 500)
        #expect(cells.map(\.count) == [2, 1])
        #expect(cells.first?.column == 0 && cells.first?.row == 0)
        #expect(cells.last!.bounds.contains(points[2]))
        #expect(throws: GeoError.self) { _ = try GridAggregator.heat(points, box: box, cellMetres: 0) }
    }
}
