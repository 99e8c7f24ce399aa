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
