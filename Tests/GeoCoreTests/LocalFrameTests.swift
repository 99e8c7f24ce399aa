import Foundation
import Testing

@testable import GeoCore

@Suite struct LocalFrameTests {
    static let frame = LocalFrame(origin: Coordinate(x: 120.46, y: 33.2))

    @Test func scalesAreTheRadiiOfCurvatureOfCGCS2000AtTheOrigin() {
        // N·cos φ·π/180 and M·π/180 of GRS 80 at 33.2° N, computed independently.
        #expect(abs(Self.frame.metresPerDegreeX - 93_241.799_229_6) < 1e-6)
        #expect(abs(Self.frame.metresPerDegreeY - 110_908.021_050_0) < 1e-6)
        let equator = LocalFrame(origin: Coordinate(x: 0, y: 0))
        #expect(abs(equator.metresPerDegreeX - 111_319.490_793) < 1e-5)
    }

    @Test func projectAndUnprojectAreInverse() {
        #expect(Self.frame.project(Self.frame.origin) == Coordinate(x: 0, y: 0))
        let east = Self.frame.project(Coordinate(x: 120.47, y: 33.2))
        #expect(abs(east.x - 932.417_992_296) < 1e-6 && east.y == 0)
        for c in [Coordinate(x: 120.5, y: 33.1), Coordinate(x: 120.3123, y: 33.4567)] {
            let back = Self.frame.unproject(Self.frame.project(c))
            #expect(abs(back.x - c.x) < 1e-12 && abs(back.y - c.y) < 1e-12)
        }
    }

    @Test func distancesAgreeWithTheGeodesicOverACity() {
        let a = Coordinate(x: 120.44, y: 33.18), b = Coordinate(x: 120.49, y: 33.23)
        let geodesic = Geodesic.distance(from: a, to: b, ellipsoid: .cgcs2000)
        #expect(abs(Self.frame.distance(a, b) - geodesic) < 0.001 * geodesic)
        #expect(abs(Self.frame.distance(a, b) - Planar.distance(Self.frame.project(a), Self.frame.project(b))) < 1e-9)
    }

    @Test func aFrameAroundCoordinatesIsCentredOnTheirBox() {
        let frame = LocalFrame(around: [Coordinate(x: 120, y: 33), Coordinate(x: 121, y: 34), Coordinate(x: 120.2, y: 33.9)])
        #expect(frame.origin == Coordinate(x: 120.5, y: 33.5))
        #expect(LocalFrame(around: [Coordinate]()).origin == Coordinate(x: 0, y: 0))
    }

    @Test func boxesGrowByMetresOnTheGround() {
        let box = BoundingBox(minX: 120.45, minY: 33.19, maxX: 120.47, maxY: 33.21)
        let grown = Self.frame.expand(box, byMetres: 100)
        #expect(abs((box.minX - grown.minX) * Self.frame.metresPerDegreeX - 100) < 1e-9)
        #expect(abs((grown.maxY - box.maxY) * Self.frame.metresPerDegreeY - 100) < 1e-9)
        // Degrees of longitude are shorter at 33° N, so the box grows by more of them.
        #expect(box.minX - grown.minX > box.minY - grown.minY)
    }

    @Test func savedFramesDecodeWithTheirOwnScales() throws {
        let json = #"{"origin":{"x":120.46,"y":33.2},"metresPerDegreeX":93000.5,"metresPerDegreeY":110000.25}"#
        let frame = try JSONDecoder().decode(LocalFrame.self, from: Data(json.utf8))
        #expect(frame.origin == Coordinate(x: 120.46, y: 33.2))
        #expect(frame.metresPerDegreeX == 93_000.5 && frame.metresPerDegreeY == 110_000.25)
        let again = try JSONDecoder().decode(LocalFrame.self, from: JSONEncoder().encode(Self.frame))
        #expect(again == Self.frame)
    }
}

@Suite struct PlanarSegmentTests {
    @Test func segmentDistanceAndParameter() {
        let a = Coordinate(x: 0, y: 0), b = Coordinate(x: 10, y: 0)
        #expect(Planar.segmentDistance(Coordinate(x: 4, y: 3), a, b) == (distance: 3, t: 0.4))
        #expect(Planar.segmentDistance(Coordinate(x: -3, y: 4), a, b) == (distance: 5, t: 0))
        #expect(Planar.segmentDistance(Coordinate(x: 13, y: 4), a, b) == (distance: 5, t: 1))
        #expect(Planar.segmentDistance(Coordinate(x: 3, y: 4), a, a) == (distance: 5, t: 0))
    }

    @Test func polylineDistanceAndDensify() {
        let line = [Coordinate(x: 0, y: 0), Coordinate(x: 10, y: 0), Coordinate(x: 10, y: 10)]
        #expect(Planar.polylineDistance(Coordinate(x: 12, y: 5), line) == 2)
        #expect(Planar.polylineDistance(Coordinate(x: 3, y: 4), [Coordinate(x: 0, y: 0)]) == 5)
        #expect(Planar.polylineDistance(Coordinate(x: 3, y: 4), []) == .infinity)
        let dense = Planar.densify(line, step: 4)
        // 10 m in three pieces each way: two points added per segment, vertices kept.
        #expect(dense.count == 7)
        #expect(dense[3] == line[1] && dense.last == line[2])
        #expect(abs(dense[1].x - 10.0 / 3) < 1e-12)
    }
}

/// The exact orientation sign and the separating-line test that proves two polygons of a tiling apart.
@Suite struct PlanarSeparationTests {
    static func ring(_ points: [(Double, Double)]) -> [Coordinate] { (points + [points[0]]).map { Coordinate(x: $0.0, y: $0.1) } }

    @Test func orientationIsExactOrNil() {
        let a = Coordinate(x: 120.4747043, y: 33.2880744), b = Coordinate(x: 120.4758208, y: 33.2880701)
        // The ends of the line are on it exactly, whatever the rounding of the products.
        #expect(Planar.orientation(a, b, a) == 0)
        #expect(Planar.orientation(a, b, b) == 0)
        #expect(Planar.orientation(a, b, Coordinate(x: 120.475, y: 33.289)) == 1)
        #expect(Planar.orientation(b, a, Coordinate(x: 120.475, y: 33.289)) == -1)
        // (0.1, 0.1) rounds onto y = x, but the filter cannot tell that from an ulp off it.
        #expect(Planar.orientation(Coordinate(x: 0, y: 0), Coordinate(x: 1, y: 1), Coordinate(x: 0.1, y: 0.1)) == nil)
        #expect(Planar.orientation(Coordinate(x: 0, y: 0), Coordinate(x: 1, y: 1), Coordinate(x: .nan, y: 0)) == nil)
    }

    @Test(arguments: [
        // Neighbours across a slanted shared edge, in either ring direction.
        ([(0, 0), (1, 0), (1.37, 2), (0, 2)], [(1, 0), (2, 0), (2.11, 2), (1.37, 2)], true),
        ([(0, 0), (0, 2), (1.37, 2), (1, 0)], [(1, 0), (2, 0), (2.11, 2), (1.37, 2)], true),
        // Diagonal neighbours meeting at one vertex.
        ([(0, 0), (1, 0), (1, 1), (0, 1)], [(1, 1), (2, 1), (2, 2), (1, 2)], true),
        // Two triangles splitting a square along its diagonal.
        ([(0, 0), (2, 0), (2, 1)], [(0, 0), (2, 1), (0, 1)], true),
        // Overlapping by a sliver, and identical.
        ([(0, 0), (1, 0), (1, 1), (0, 1)], [(0.999999, 0), (2, 0), (2, 1), (0.999999, 1)], false),
        ([(0, 0), (2, 0), (1, 2)], [(0, 0), (2, 0), (1, 2)], false),
        // A concave L and the square it wraps: apart, but no edge's line shows it.
        ([(2, 2), (4, 2), (4, 3), (3, 3), (3, 4), (2, 4)], [(3, 3), (4, 3), (4, 4), (3, 4)], false),
    ] as [([(Double, Double)], [(Double, Double)], Bool)])
    func separatedByAnEdgeLine(a: [(Double, Double)], b: [(Double, Double)], separated: Bool) {
        #expect(Planar.separatedByAnEdgeLine([Self.ring(a)], [Self.ring(b)]) == separated)
        #expect(Planar.separatedByAnEdgeLine([Self.ring(b)], [Self.ring(a)]) == separated)
    }
}
