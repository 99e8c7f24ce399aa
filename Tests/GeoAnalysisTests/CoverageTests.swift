import Foundation
import GeoCore
import GeoEngine
import GeoGrids
import Testing

@testable import GeoAnalysis

@Suite struct CoverageTests {
    static let around = BoundingBox(coordinates: [Metres.c(-2_500, -2_500), Metres.c(2_500, 2_500)])!
    static let r = 500.0

    /// Covered m² of a polygon by facilities (metres east and north), and the circle geometry it should equal.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var facilities: [(Double, Double)]
        var polygon: Polygon
        var expected: Double
        var testDescription: String { name }
    }

    static let lens = 2 * r * r * acos(600 / (2 * r)) - 300 * (4 * r * r - 600 * 600).squareRoot()
    static let segment = r * r * acos(200 / r) - 200 * (r * r - 200 * 200).squareRoot()

    static let cases: [Case] = [
        Case(name: "one disk inside", facilities: [(0, 0)], polygon: Metres.square(-2_000, -2_000, 2_000, 2_000), expected: Double.pi * r * r),
        Case(name: "two disks 600 m apart: two circles less their lens", facilities: [(0, 0), (600, 0)],
            polygon: Metres.square(-2_000, -2_000, 2_000, 2_000), expected: 2 * Double.pi * r * r - lens),
        Case(name: "a disk cut by the polygon's edge 200 m from its centre", facilities: [(200, 0)],
            polygon: Metres.square(0, -2_000, 2_000, 2_000), expected: Double.pi * r * r - segment),
        Case(name: "a hole around the facility", facilities: [(0, 0)],
            polygon: Polygon(exterior: Metres.square(-2_000, -2_000, 2_000, 2_000).exterior, holes: [Metres.square(-100, -100, 100, 100).exterior.reversed()]),
            expected: Double.pi * r * r - 40_000),
        Case(name: "the same facility twice counts once", facilities: [(0, 0), (0, 0)], polygon: Metres.square(-2_000, -2_000, 2_000, 2_000),
            expected: Double.pi * r * r),
        Case(name: "a polygon inside a disk", facilities: [(0, 0)], polygon: Metres.square(-100, -100, 100, 100), expected: 40_000),
    ]

    @Test(arguments: cases)
    func coveredAreaIsTheCircleGeometry(_ c: Case) throws {
        let coverage = try ServiceCoverage(facilities: c.facilities.map { Metres.c($0.0, $0.1) }, radiusMetres: Self.r, around: Self.around)
        let rows = try coverage.cover([Feature(geometry: .polygon(c.polygon))], weight: .area)
        let covered = rows[0].coveredWeight
        // Disks are equal-area polygons sagging at most 5 cm from the circle: 2e-5 of the area.
        #expect(abs(covered - c.expected) < 2e-5 * c.expected + 1, "\(covered) vs \(c.expected)")
        #expect(abs(rows[0].area - EllipsoidalMeasure.area(of: .polygon(c.polygon))) < 1e-6)
    }

    @Test func diskVerticesLieOnTheGeodesicCircle() throws {
        let coverage = try ServiceCoverage(facilities: [Metres.c(0, 0)], radiusMetres: 3_000, around: Self.around)
        let disk = coverage.disks[0]
        let radii = disk.ring.map { EllipsoidalMeasure.distance(from: Metres.c(0, 0), to: coverage.frame.unproject($0)) }
        let n = Double(disk.ring.count - 1)
        let vertexRadius = 3_000 * (2 * Double.pi / (n * sin(2 * Double.pi / n))).squareRoot()
        #expect(radii.allSatisfy { abs($0 - vertexRadius) < 0.001 })
        #expect(ServiceDisk.vertexCount(radius: 500) == 223 && ServiceDisk.vertexCount(radius: 10) == 32)
    }

    /// The Green's-theorem area against GEOS overlay of the same disk polygons, on crowded random layouts.
    @Test(arguments: [1 as UInt64, 2, 3])
    func diskUnionAreaEqualsGEOSOverlay(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let facilities = (0..<40).map { _ in Metres.c(Double.random(in: 0...1_000, using: &random), Double.random(in: 0...1_000, using: &random)) }
        let coverage = try ServiceCoverage(facilities: facilities, radiusMetres: 150, around: Self.around)
        let engine = try GeometryEngine()
        for _ in 0..<15 {
            let x = Double.random(in: -100...900, using: &random), y = Double.random(in: -100...900, using: &random)
            let w = Double.random(in: 20...400, using: &random), h = Double.random(in: 20...400, using: &random)
            // A skewed quadrilateral with a notch (concave).
            let ring = [(x, y), (x + w, y + 10), (x + w / 2, y + h / 3), (x + w + 5, y + h), (x - 10, y + h), (x, y)].map {
                coverage.frame.project(Metres.c($0.0, $0.1))
            }
            let polygon = ProjectedPolygon(Polygon(exterior: ring.map(coverage.frame.unproject)), frame: coverage.frame)
            // Plane areas on both sides (slope 0): the ellipsoid's scale is checked on its own below.
            let ours = DiskUnionArea.coveredArea(of: polygon, disks: coverage.disks, slope: 0)
            let disks = try engine.unaryUnion(coverage.disks.map { .polygon(Polygon(exterior: $0.ring)) })
            let theirs = try engine.intersection(.polygon(Polygon(exterior: polygon.rings[0])), disks).polygons.reduce(0) { $0 + Planar.area(of: $1) }
            #expect(abs(ours - theirs) < 1e-6 * max(theirs, 1), "\(ours) vs GEOS \(theirs)")
        }
    }

    /// Frame areas weighted by the ellipsoid's area scale: a 4 km square 20 km north or south of the frame's origin,
    /// whose plain frame area is off by 4e-3, measures as Karney's ellipsoidal area to 1e-5 (the scale's second-order
    /// term), one at the origin to 1e-6.
    @Test func frameAreasFollowTheEllipsoidsAreaScale() {
        let frame = Metres.frame
        for north in [0.0, 20_000, -20_000] {
            let square = Metres.square(-2_000, north - 2_000, 2_000, north + 2_000)
            let projected = ProjectedPolygon(square, frame: frame)
            let karney = EllipsoidalMeasure.area(of: .polygon(square))
            let plain = Planar.area(of: Polygon(rings: projected.rings)!)
            #expect(abs(plain - karney) > 1e-3 * karney || north == 0)
            #expect(abs(projected.area - karney) < (north == 0 ? 1e-6 : 1e-5) * karney, "\(north): \(projected.area) vs \(karney)")
        }
    }

    @Test func pointsAreCoveredWithinTheEllipsoidalRadius() throws {
        let coverage = try ServiceCoverage(facilities: [Metres.c(0, 0)], radiusMetres: 300, around: Self.around)
        let near = Metres.c(299.9, 0), far = Metres.c(300.1, 0)
        #expect(EllipsoidalMeasure.distance(from: Metres.c(0, 0), to: near) < 300)
        #expect(coverage.covers(near) && !coverage.covers(far))
        let rows = try coverage.cover([Metres.point(299.9, 0, ["people": 40]), Metres.point(300.1, 0, ["people": 60])], weight: .field("people"))
        #expect(rows.map(\.coveredWeight) == [40, 0] && rows.map(\.weight) == [40, 60])
    }

    @Test func sharesAddUpPerRegionLevel() {
        let rows: [(code: String?, total: Double, part: Double)] = [
            ("320904001001001", 100, 50), ("320904001001002", 100, 100), ("320904001002001", 200, 0), (nil, 10, 10),
        ]
        let communities = RegionTotal.sum(rows, level: .community)
        #expect(communities.map(\.code) == ["320904001001", "320904001002", nil])
        #expect(communities.map(\.share) == [0.75, 0, 1])
        let streets = RegionTotal.sum(rows, level: .street)
        #expect(streets.count == 2 && streets[0].total == 400 && streets[0].part == 150 && streets[0].count == 3)
    }

    @Test func greedySitesTakeTheLargestGainFirst() throws {
        // Five people round (0,0), three round (2000,0) already served, one at (4000,0).
        let targets = [(0.0, 0.0), (50, 0), (-50, 0), (0, 50), (0, -50), (2_000, 0), (2_050, 0), (1_950, 0), (4_000, 0)].map { Metres.point($0.0, $0.1) }
        let coverage = try ServiceCoverage(facilities: [Metres.c(2_000, 0)], radiusMetres: 300, around: Self.around)
        let candidates = [Metres.c(0, 0), Metres.c(2_000, 10), Metres.c(4_000, 0), Metres.c(100, 0)]
        let (sites, before, total) = try coverage.bestSites(from: candidates, targets: targets, weight: .count, count: 3)
        #expect(total == 9 && abs(before - 3.0 / 9) < 1e-12)
        #expect(sites.map(\.candidate) == [0, 2])
        #expect(sites.map(\.gain) == [5, 1])
        #expect(abs(sites[1].shareAfter - 1) < 1e-12)
    }

    @Test func greedySitesOnAreaGainTheDiskInsideThePolygon() throws {
        let coverage = try ServiceCoverage(facilities: [], radiusMetres: 200, around: Self.around)
        let field = Feature(geometry: .polygon(Metres.square(0, 0, 1_000, 1_000)))
        let (sites, _, total) = try coverage.bestSites(from: [Metres.c(0, 0), Metres.c(500, 500)], targets: [field], weight: .area, count: 1)
        #expect(sites.map(\.candidate) == [1])
        #expect(abs(sites[0].gain - Double.pi * 200 * 200) < 2e-5 * Double.pi * 200 * 200)
        #expect(abs(total - EllipsoidalMeasure.area(of: field.geometry!)) < 1e-6)
    }

    @Test func blindSpotsAreThePolygonLessTheDisks() throws {
        let coverage = try ServiceCoverage(facilities: [Metres.c(0, 0)], radiusMetres: Self.r, around: Self.around)
        let square = Metres.square(-1_000, -1_000, 1_000, 1_000)
        let rest = try #require(try coverage.uncovered(square, engine: GeometryEngine()))
        let expected = 4_000_000 - Double.pi * Self.r * Self.r
        #expect(abs(EllipsoidalMeasure.area(of: rest) - expected) < 2e-5 * expected + 1)
        #expect(try coverage.uncovered(Metres.square(-100, -100, 100, 100), engine: GeometryEngine()) == nil)
    }

    @Test func radiiOutsideTheLimitAreRefusedNamingTheField() {
        for radius in [0, -5, 20_001, Double.nan] {
            #expect {
                _ = try ServiceCoverage(facilities: [], radiusMetres: radius, around: Self.around)
            } throws: { ($0 as? GeoError)?.location == "radius_m" }
        }
    }

    @Test func regionCodesComeFromTheGridCodeOrTheLocator() {
        let grid = Feature(geometry: .polygon(Metres.square(0, 0, 10, 10)), properties: ["code": "320904001001001"])
        #expect(ServiceCoverage.regionCode(of: grid, locator: nil) == "320904001001001")
        // An L-shaped polygon: the interior point lies inside it, not in the notch.
        let l = Polygon(exterior: [Metres.c(0, 0), Metres.c(100, 0), Metres.c(100, 30), Metres.c(30, 30), Metres.c(30, 100), Metres.c(0, 100), Metres.c(0, 0)])
        let inside = Planar.interiorPoint(of: .polygon(l))!
        #expect(Planar.polygon(l, contains: inside))
    }
}
