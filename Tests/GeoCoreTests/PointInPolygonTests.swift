import Testing

@testable import GeoCore

/// The one half-open crossing test that PolygonIndex, FenceIndex, ChinaBoundary and Planar.ring share.
@Suite struct PointInPolygonTests {
    /// Four unit squares meeting at (1, 1): south-west, south-east, north-west, north-east.
    static let squares: [[Coordinate]] = [Coordinate(x: 0, y: 0), Coordinate(x: 1, y: 0), Coordinate(x: 0, y: 1), Coordinate(x: 1, y: 1)]
        .map { BoundingBox(minX: $0.x, minY: $0.y, maxX: $0.x + 1, maxY: $0.y + 1).polygon.exterior }

    static func owners(of p: Coordinate) -> [Int] {
        squares.indices.filter { Planar.ring(squares[$0], contains: p) }
    }

    @Test(arguments: [
        // On the shared north-south edge x = 1: the square to the east.
        (1.0, 0.5, [1]), (1.0, 1.5, [3]),
        // On the shared east-west edge y = 1: the square to the north.
        (0.5, 1.0, [2]), (1.5, 1.0, [3]),
        // The corner all four share: the north-east one.
        (1.0, 1.0, [3]),
        // Inside, and on the outer edges (west and south edges belong, east and north ones do not).
        (0.5, 0.5, [0]), (0.0, 0.5, [0]), (0.5, 0.0, [0]), (2.0, 0.5, []), (0.5, 2.0, []),
    ])
    func aPointOnSharedEdgesBelongsToExactlyOneSquare(x: Double, y: Double, owners: [Int]) {
        #expect(Self.owners(of: Coordinate(x: x, y: y)) == owners)
    }

    @Test func edgesCountOnlyWhenTheyStraddleTheRayEastOfThePoint() {
        // A vertical edge from (2, 0) to (2, 2) east of the point: counted; west of it: not.
        #expect(Planar.edgeCrossesEastRay(ax: 2, ay: 0, bx: 2, by: 2, x: 1, y: 1))
        #expect(!Planar.edgeCrossesEastRay(ax: 0, ay: 0, bx: 0, by: 2, x: 1, y: 1))
        // Half-open in y: the lower end is in, the upper end is out; a horizontal edge never counts.
        #expect(Planar.edgeCrossesEastRay(ax: 2, ay: 1, bx: 2, by: 2, x: 1, y: 1))
        #expect(!Planar.edgeCrossesEastRay(ax: 2, ay: 0, bx: 2, by: 1, x: 1, y: 1))
        #expect(!Planar.edgeCrossesEastRay(ax: 0, ay: 1, bx: 5, by: 1, x: 1, y: 1))
        // A sloping edge: crossing at x = 1.5 for y = 1.
        #expect(Planar.edgeCrossesEastRay(ax: 1, ay: 0, bx: 2, by: 2, x: 1.49, y: 1))
        #expect(!Planar.edgeCrossesEastRay(ax: 1, ay: 0, bx: 2, by: 2, x: 1.5, y: 1))
    }

    /// Two unit grids of the scale-13 demo city share a slanted edge, which each passes the other way round. A
    /// point an ulp beside its middle was in both grids while the crossing was interpolated from the edge's first
    /// end; from its southern end it is in exactly one, whichever way the edge is passed.
    @Test func aSlantedSharedEdgeSplitsPointsBesideItAlikeForBothNeighbours() {
        let (ax, ay, bx, by) = (120.5062325, 33.2822036, 120.5062379, 33.2831413)
        let west = [(120.5051, ay), (ax, ay), (bx, by), (120.5051, by), (120.5051, ay)].map { Coordinate(x: $0.0, y: $0.1) }
        let east = [(ax, ay), (120.5073, ay), (120.5073, by), (bx, by), (ax, ay)].map { Coordinate(x: $0.0, y: $0.1) }
        let y = 33.28267245
        let middle = 120.50623519999999
        for x in [middle.nextDown, middle, middle.nextUp] {
            #expect(Planar.edgeCrossesEastRay(ax: ax, ay: ay, bx: bx, by: by, x: x, y: y) == Planar.edgeCrossesEastRay(ax: bx, ay: by, bx: ax, by: ay, x: x, y: y))
            #expect([west, east].filter { Planar.ring($0, contains: Coordinate(x: x, y: y)) }.count == 1, "\(x)")
        }
    }

    @Test func ringParityOverFlatArraysCountsHolesToo() {
        // A 4 x 4 square with a 2 x 2 hole, rings back to back and not closed (the last vertex joins the first).
        let xs: [Double] = [0, 4, 4, 0, 1, 3, 3, 1]
        let ys: [Double] = [0, 0, 4, 4, 1, 1, 3, 3]
        func inside(_ x: Double, _ y: Double) -> Bool {
            xs.withUnsafeBufferPointer { xs in
                ys.withUnsafeBufferPointer { ys in
                    Planar.ringParity(xs: xs, ys: ys, vertices: 0..<4, x: x, y: y)
                        != Planar.ringParity(xs: xs, ys: ys, vertices: 4..<8, x: x, y: y)
                }
            }
        }
        #expect(inside(0.5, 0.5) && inside(3.5, 2))
        #expect(!inside(2, 2) && !inside(5, 2) && !inside(-1, 2))
        xs.withUnsafeBufferPointer { xs in
            ys.withUnsafeBufferPointer { ys in
                #expect(!Planar.ringParity(xs: xs, ys: ys, vertices: 0..<0, x: 1, y: 1))
            }
        }
        // The same rings stored as interleaved x y pairs, read through a closure.
        let pairs = zip(xs, ys).flatMap { [$0, $1] }
        func interleaved(_ ring: Range<Int>, _ x: Double, _ y: Double) -> Bool {
            Planar.ringParity(vertices: ring, x: x, y: y) { (pairs[2 * $0], pairs[2 * $0 + 1]) }
        }
        for (x, y) in [(0.5, 0.5), (3.5, 2), (2, 2), (5, 2), (0, 0), (4, 2), (1, 1), (3, 3)] {
            #expect((interleaved(0..<4, x, y) != interleaved(4..<8, x, y)) == inside(x, y))
        }
        #expect(!interleaved(0..<0, 1, 1))
    }
}

@Suite struct FlatPolygonsTests {
    @Test func partsKeepTheirRingsBackToBack() {
        var flat = FlatPolygons()
        let square = BoundingBox(minX: 0, minY: 0, maxX: 4, maxY: 4).polygon
        let hole = BoundingBox(minX: 1, minY: 1, maxX: 3, maxY: 3).polygon.exterior
        let first = flat.append(rings: [square.exterior, hole])
        // The second part is moved 10 east as it is appended.
        let second = flat.append(rings: [square.exterior]) { Coordinate(x: $0.x + 10, y: $0.y) }
        let third = flat.append(rings: [])
        #expect(third == nil)
        #expect(first == BoundingBox(minX: 0, minY: 0, maxX: 4, maxY: 4))
        #expect(second == BoundingBox(minX: 10, minY: 0, maxX: 14, maxY: 4))
        #expect(flat.partCount == 3)
        #expect(flat.rings(ofPart: 0) == 0..<2 && flat.rings(ofPart: 1) == 2..<3 && flat.rings(ofPart: 2).isEmpty)
        #expect(flat.vertices(ofRing: 1) == 5..<10 && flat.xs.count == 15)
        #expect(flat.xs[flat.vertices(ofRing: 2).lowerBound] == 10)

        #expect(flat.contains(part: 0, x: 0.5, y: 0.5) && !flat.contains(part: 0, x: 2, y: 2))
        #expect(flat.contains(part: 1, x: 12, y: 2) && !flat.contains(part: 1, x: 2, y: 2))
        #expect(!flat.contains(part: 2, x: 2, y: 2))
    }

    @Test func openedRingsDropOnlyARepeatedClosingVertexAndAnswerTheSame() {
        let closed = BoundingBox(minX: 0, minY: 0, maxX: 4, maxY: 4).polygon.exterior
        let open = [Coordinate(x: 1, y: 1), Coordinate(x: 3, y: 1), Coordinate(x: 2, y: 3)]
        var asGiven = FlatPolygons(), opened = FlatPolygons()
        asGiven.append(rings: [closed, open])
        opened.append(rings: [closed, open], opening: true)
        #expect(asGiven.xs.count == 8 && opened.xs.count == 7 && opened.vertices(ofRing: 1) == 4..<7)
        for x in stride(from: -0.5, through: 4.5, by: 0.25) {
            for y in stride(from: -0.5, through: 4.5, by: 0.25) {
                #expect(opened.contains(part: 0, x: x, y: y) == asGiven.contains(part: 0, x: x, y: y))
            }
        }
    }
}
