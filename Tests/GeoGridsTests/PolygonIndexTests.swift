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

    // MARK: Overlaps

    static func polygon(_ points: [(Double, Double)], holes: [[(Double, Double)]] = []) -> Polygon {
        func ring(_ p: [(Double, Double)]) -> [Coordinate] { (p + [p[0]]).map { Coordinate(x: $0.0, y: $0.1) } }
        return Polygon(exterior: ring(points), holes: holes.map(ring))
    }

    /// A layer whose polygons do not overlap but touch in every way a tiling does. Entries: 0-3 unit squares on
    /// bucket lines (x 0-4, y 0-1); 4-7 quadrilaterals with slanted shared edges (y 1-2); 8-9 two triangles
    /// splitting a square; 10 a concave L and 11 the square it wraps (their boxes nest); 12 a multipolygon of two
    /// squares far apart; 13 a square; 14 a polygon with a hole and 15 the polygon filling that hole exactly.
    static let touching: [Geometry?] = {
        let top = [0, 1.37, 2.11, 3.29, 4], bottom = [0.0, 1, 2, 3, 4]
        var layer: [Geometry?] = (0..<4).map { square(Double($0), 0) }
        layer += (0..<4).map { i in .polygon(polygon([(bottom[i], 1), (bottom[i + 1], 1), (top[i + 1], 2), (top[i], 2)])) }
        layer.append(.polygon(polygon([(0, 2), (2, 2), (2, 3)])))
        layer.append(.polygon(polygon([(0, 2), (2, 3), (0, 3)])))
        layer.append(.polygon(polygon([(2, 2), (4, 2), (4, 3), (3, 3), (3, 4), (2, 4)])))
        layer.append(square(3, 3))
        layer.append(.multiPolygon(MultiPolygon([polygon([(0, 3), (1, 3), (1, 4), (0, 4)]), polygon([(5, 0), (6, 0), (6, 1), (5, 1)])])))
        layer.append(square(1, 3))
        layer.append(.polygon(polygon([(4, 1), (6, 1), (6, 4), (4, 4)], holes: [[(4.5, 2), (4.5, 3), (5.5, 3), (5.5, 2)]])))
        layer.append(.polygon(polygon([(4.5, 2), (5.5, 2), (5.5, 3), (4.5, 3)])))
        return layer
    }()

    /// Points on a lattice of eighths (vertices, edges and bucket lines among them), at the middle of every edge and
    /// an ulp either side of it (where rounding of the crossing test matters), and at random.
    static func probes(of layer: [Geometry?], seed: UInt64) -> [Coordinate] {
        var points: [Coordinate] = []
        for i in -4...52 {
            for j in -4...36 { points.append(Coordinate(x: Double(i) / 8, y: Double(j) / 8)) }
        }
        for geometry in layer {
            for ring in geometry?.polygons.flatMap(\.rings) ?? [] {
                for (a, b) in zip(ring, ring.dropFirst()) {
                    let middle = Coordinate(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)
                    points += [a, middle, Coordinate(x: middle.x.nextUp, y: middle.y), Coordinate(x: middle.x.nextDown, y: middle.y)]
                }
            }
        }
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<5_000 { points.append(Coordinate(x: rng.uniform(-0.5...6.5), y: rng.uniform(-0.5...4.5))) }
        return points
    }

    @Test(arguments: [nil, 1.0, 16.0] as [Double?])
    func aTouchingLayerIsProvenNotToOverlapAndAnswersAsEveryHolderDoes(bucketsPerPolygon: Double?) {
        let checked = PolygonIndex(Self.touching, bucketsPerPolygon: bucketsPerPolygon, checkingOverlaps: true)
        let unchecked = PolygonIndex(Self.touching, bucketsPerPolygon: bucketsPerPolygon)
        #expect(checked.overlapping == false)
        #expect(unchecked.overlapping == nil)
        // Boxes sharing interior points are candidates (slanted neighbours, the triangles, the L and its square, the
        // holed polygon and its filling); boxes that only touch (the squares on bucket lines) are not.
        let pairs = checked.candidatePairs().map { [$0.0, $0.1] }
        #expect(pairs.contains([4, 5]) && pairs.contains([8, 9]) && pairs.contains([10, 11]) && pairs.contains([14, 15]))
        #expect(!pairs.contains([0, 1]) && !pairs.contains([0, 4]) && !pairs.contains([12, 13]))
        var found: [Int] = [], every: [Int] = []
        var differing: [Coordinate] = [], held = 0
        for p in Self.probes(of: Self.touching, seed: 3) {
            checked.locateAll(p, into: &found)
            unchecked.locateAll(p, into: &every)
            if found != every { differing.append(p) }
            if !found.isEmpty { held += 1 }
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
        #expect(held > 4_000)
        #expect(checked.locateAll(Coordinate(x: 1, y: 0.5)) == [1])
        #expect(checked.locateAll(Coordinate(x: 1.5, y: 2.5)) == [8])
        #expect(checked.locateAll(Coordinate(x: 3.5, y: 3.5)) == [11])
        #expect(checked.locateAll(Coordinate(x: 5.5, y: 0.5)) == [12])
        #expect(checked.locateAll(Coordinate(x: 5, y: 2.5)) == [15])
        #expect(checked.locateAll(Coordinate(x: 4.25, y: 2.5)) == [14])
        #expect(checked.locateAll(Coordinate(x: 4.5, y: 0.5)) == [])
    }

    @Test(arguments: [
        // Two squares overlapping by a sliver a millionth wide.
        ("sliver", [square(0, 0), .polygon(polygon([(0.999999, 0), (2, 0), (2, 1), (0.999999, 1)]))], (0.9999995, 0.5), [0, 1]),
        // Two identical triangles.
        ("identical", [.polygon(polygon([(0, 0), (2, 0), (1, 2)])), .polygon(polygon([(0, 0), (2, 0), (1, 2)]))], (1, 0.5), [0, 1]),
        // A square inside another polygon's hole but wider than it.
        (
            "wider than the hole",
            [.polygon(polygon([(0, 0), (4, 0), (4, 4), (0, 4)], holes: [[(1, 1), (1, 3), (3, 3), (3, 1)]])), square(0.5, 0.5, 3)],
            (0.75, 0.75), [0, 1]
        ),
        // A concave L and a square reaching into it.
        (
            "into the L", [.polygon(polygon([(2, 2), (4, 2), (4, 3), (3, 3), (3, 4), (2, 4)])), square(2.5, 2.5)], (2.75, 2.75), [0, 1]
        ),
    ] as [(String, [Geometry?], (Double, Double), [Int])])
    func anOverlappingLayerIsFoundAndAnswersEveryHolder(name: String, layer: [Geometry?], point: (Double, Double), holders: [Int]) {
        let index = PolygonIndex(layer, checkingOverlaps: true)
        #expect(index.overlapping == true, "\(name)")
        #expect(index.locateAll(Coordinate(x: point.0, y: point.1)) == holders, "\(name)")
        let unchecked = PolygonIndex(layer)
        for p in Self.probes(of: layer, seed: 5) { #expect(index.locateAll(p) == unchecked.locateAll(p), "\(name) \(p)") }
    }

    @Test func aPolygonInAHoleAndOverlappingPartsOfOneEntryAreNoOverlap() {
        let holed = Geometry.polygon(Self.polygon([(0, 0), (4, 0), (4, 4), (0, 4)], holes: [[(1, 1), (1, 3), (3, 3), (3, 1)]]))
        // Smaller than the hole, and exactly the hole.
        #expect(PolygonIndex([holed, Self.square(1.5, 1.5)], checkingOverlaps: true).overlapping == false)
        #expect(PolygonIndex([holed, Self.square(1, 1, 2)], checkingOverlaps: true).overlapping == false)
        // A multipolygon whose parts overlap each other, beside a square it touches.
        let parts = Geometry.multiPolygon(MultiPolygon([Self.polygon([(0, 0), (2, 0), (2, 2), (0, 2)]), Self.polygon([(1, 1), (3, 1), (3, 3), (1, 3)])]))
        let index = PolygonIndex([parts, .polygon(Self.polygon([(3, 0), (4, 0), (4, 3.5), (3, 3.5)]))], checkingOverlaps: true)
        #expect(index.overlapping == false)
        #expect(index.locateAll(Coordinate(x: 1.5, y: 1.5)) == [0])
        #expect(index.locateAll(Coordinate(x: 3, y: 2)) == [1])
        // An invalid polygon (a bow tie) is not proven apart from a square that its box meets, though its lobes
        // miss the square: GEOS's interior of it is not what the crossing test takes for inside.
        let bowTie = Geometry.polygon(Self.polygon([(0, 0), (2, 2), (2, 0), (0, 2)]))
        #expect(PolygonIndex([bowTie, Self.square(1.2, 1.9, 0.6)], checkingOverlaps: true).overlapping == true)
        #expect(PolygonIndex([], checkingOverlaps: true).overlapping == false)
    }
}
