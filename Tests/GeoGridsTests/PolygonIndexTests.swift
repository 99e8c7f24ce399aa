import GeoCore
import GeoGrids
import Testing

/// The point index on a 3 x 2 tiling of unit squares, a polygon with a hole and an overlapping pair.
@Suite struct PolygonIndexTests {
    static func square(_ x: Double, _ y: Double, _ size: Double = 1) -> Geometry {
        .polygon(
            Polygon(exterior: [
                Coordinate(x: x, y: y), Coordinate(x: x + size, y: y), Coordinate(x: x + size, y: y + size),
                Coordinate(x: x, y: y + size), Coordinate(x: x, y: y),
            ]))
    }

    /// Entries 0-2 are the southern row (west to east), 3-5 the northern row.
    static let tiling = PolygonIndex([
        square(0, 0), square(1, 0), square(2, 0),
        square(0, 1), square(1, 1), square(2, 1),
    ])

    @Test(arguments: [
        (0.5, 0.5, 0), (1.5, 0.5, 1), (2.5, 1.5, 5), (0.01, 1.99, 3),
        // On a shared north-south edge: the polygon to the east.
        (1.0, 0.5, 1), (2.0, 1.5, 5),
        // On a shared east-west edge: the polygon to the north.
        (0.5, 1.0, 3),
        // On a vertex shared by four: the north-east one.
        (1.0, 1.0, 4),
    ])
    func locatesInteriorAndSharedEdgePointsToExactlyOneGrid(x: Double, y: Double, expected: Int) {
        #expect(Self.tiling.locate(Coordinate(x: x, y: y)) == expected)
        // Exactly one holder, never two, on shared edges.
        let holders = (0..<6).filter { i in Self.tiling.locateAll(Coordinate(x: x, y: y)).contains(i) }
        #expect(holders == [expected])
    }

    @Test(arguments: [(-0.5, 0.5), (3.5, 0.5), (1.5, 2.5), (1e9, 1e9), (-1e300, 0)])
    func pointsOutsideEveryPolygonFindNothing(x: Double, y: Double) {
        #expect(Self.tiling.locate(Coordinate(x: x, y: y)) == nil)
    }

    @Test func nonFiniteCoordinatesFindNothing() {
        #expect(Self.tiling.locate(Coordinate(x: .nan, y: 0.5)) == nil)
        #expect(Self.tiling.locate(Coordinate(x: 0.5, y: .infinity)) == nil)
    }

    @Test func holesAreNotInside() {
        let withHole = Geometry.polygon(
            Polygon(
                exterior: [Coordinate(x: 0, y: 0), Coordinate(x: 4, y: 0), Coordinate(x: 4, y: 4), Coordinate(x: 0, y: 4), Coordinate(x: 0, y: 0)],
                holes: [[Coordinate(x: 1, y: 1), Coordinate(x: 1, y: 3), Coordinate(x: 3, y: 3), Coordinate(x: 3, y: 1), Coordinate(x: 1, y: 1)]]))
        let index = PolygonIndex([withHole])
        #expect(index.locate(Coordinate(x: 0.5, y: 0.5)) == 0)
        #expect(index.locate(Coordinate(x: 2, y: 2)) == nil)
        #expect(index.locate(Coordinate(x: 3.5, y: 2)) == 0)
    }

    @Test func overlapsResolveToTheFirstEntryAndLocateAllListsBoth() {
        let index = PolygonIndex([Self.square(0, 0, 2), nil, Self.square(1, 1, 2), .point(Point(Coordinate(x: 1, y: 1)))])
        #expect(index.locate(Coordinate(x: 1.5, y: 1.5)) == 0)
        #expect(index.locateAll(Coordinate(x: 1.5, y: 1.5)) == [0, 2])
        #expect(index.locate(Coordinate(x: 2.5, y: 2.5)) == 2)
        #expect(index.count == 4)
    }

    @Test func multiPolygonPartsMapToTheirEntry() {
        let multi = Geometry.multiPolygon(
            MultiPolygon([
                Polygon(exterior: [Coordinate(x: 0, y: 0), Coordinate(x: 1, y: 0), Coordinate(x: 1, y: 1), Coordinate(x: 0, y: 1), Coordinate(x: 0, y: 0)]),
                Polygon(exterior: [Coordinate(x: 5, y: 5), Coordinate(x: 6, y: 5), Coordinate(x: 6, y: 6), Coordinate(x: 5, y: 6), Coordinate(x: 5, y: 5)]),
            ]))
        let index = PolygonIndex([Self.square(2, 2), multi])
        #expect(index.locate(Coordinate(x: 5.5, y: 5.5)) == 1)
        #expect(index.locate(Coordinate(x: 0.5, y: 0.5)) == 1)
        #expect(index.locate(Coordinate(x: 2.5, y: 2.5)) == 0)
        #expect(index.locate(Coordinate(x: 3.5, y: 3.5)) == nil)
    }

    /// Overlapping polygons, multipolygons whose parts overlap and polygons with holes, at several bucket sizes:
    /// every holder of a point, and the first, as a brute-force test of every polygon finds them, on vertices,
    /// edges and shared corners too.
    @Test(arguments: [nil, 1.0, 64.0] as [Double?])
    func locateAllAgreesWithBruteForceOnOverlapsHolesAndParts(bucketsPerPolygon: Double?) {
        var rng = SeededGenerator(seed: 11)
        func quarter(_ range: ClosedRange<Double>) -> Double { (rng.uniform(range) * 4).rounded() / 4 }
        func ring(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> [Coordinate] {
            [Coordinate(x: x, y: y), Coordinate(x: x + w, y: y), Coordinate(x: x + w, y: y + h), Coordinate(x: x, y: y + h), Coordinate(x: x, y: y)]
        }
        var polygons: [Polygon] = []
        var geometries: [Geometry?] = []
        for k in 0..<60 {
            let x = quarter(0...12), y = quarter(0...8), w = quarter(1...5), h = quarter(1...4)
            // A sloping north-east corner on every third, a hole in every fourth.
            var exterior = ring(x, y, w, h)
            if k % 3 == 0 { exterior[2] = Coordinate(x: x + w - 0.5, y: y + h - 0.25) }
            let holes = k % 4 == 0 ? [ring(x + 0.25, y + 0.25, w / 2, h / 2)] : []
            polygons.append(Polygon(exterior: exterior, holes: holes))
            if k % 5 == 0, let previous = polygons.dropLast().last {
                geometries.append(.multiPolygon(MultiPolygon([previous, polygons[k]])))
            } else {
                geometries.append(.polygon(polygons[k]))
            }
        }
        let index = PolygonIndex(geometries, bucketsPerPolygon: bucketsPerPolygon)
        func parts(_ g: Geometry?) -> [Polygon] {
            switch g {
            case .polygon(let p)?: [p]
            case .multiPolygon(let m)?: m.polygons
            default: []
            }
        }
        var differing = 0
        for _ in 0..<20_000 {
            let p = Coordinate(x: quarter(-1...18), y: quarter(-1...13))
            let expected = geometries.indices.filter { entry in
                parts(geometries[entry]).contains { BoundingBox(coordinates: $0.exterior)!.contains(p) && Planar.polygon($0, contains: p) }
            }
            if index.locateAll(p) != expected || index.locate(p) != expected.first { differing += 1 }
        }
        #expect(differing == 0)
    }

    /// A random point set against a brute-force crossing test over a 40 x 30 tiling of irregular widths.
    @Test func agreesWithBruteForceOnAnIrregularTiling() {
        var rng = SeededGenerator(seed: 7)
        var xs = [0.0]
        for _ in 0..<40 { xs.append(xs.last! + rng.uniform(0.5...1.5)) }
        var ys = [0.0]
        for _ in 0..<30 { ys.append(ys.last! + rng.uniform(0.5...1.5)) }
        var cells: [Geometry] = []
        for j in 0..<30 {
            for i in 0..<40 {
                cells.append(
                    .polygon(
                        Polygon(exterior: [
                            Coordinate(x: xs[i], y: ys[j]), Coordinate(x: xs[i + 1], y: ys[j]), Coordinate(x: xs[i + 1], y: ys[j + 1]),
                            Coordinate(x: xs[i], y: ys[j + 1]), Coordinate(x: xs[i], y: ys[j]),
                        ])))
            }
        }
        let index = PolygonIndex(cells)
        for _ in 0..<5_000 {
            let p = Coordinate(x: rng.uniform(-1...(xs.last! + 1)), y: rng.uniform(-1...(ys.last! + 1)))
            let i = xs.lastIndex { $0 <= p.x }
            let j = ys.lastIndex { $0 <= p.y }
            var expected: Int?
            if let i, let j, i < 40, j < 30 { expected = j * 40 + i }
            #expect(index.locate(p) == expected, "\(p)")
        }
    }
}
