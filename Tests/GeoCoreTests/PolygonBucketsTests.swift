import Foundation
import Testing

@testable import GeoCore

/// PolygonBuckets answers exactly what testing every part whose box holds the point in full answers, whatever it
/// resolved ahead: holders, rectangles, edge subsets, whole parts.
@Suite struct PolygonBucketsTests {
    struct Layer {
        var flat = FlatPolygons()
        var boxes: [BoundingBox] = []
        var keys: [Int32] = []

        mutating func add(_ rings: [[Coordinate]], key: Int) {
            flat.append(rings: rings)
            boxes.append(BoundingBox(coordinates: rings[0])!)
            keys.append(Int32(key))
        }

        /// Every key whose part's box holds `p` and whose part holds it, ascending and each once.
        func bruteForce(_ p: Coordinate) -> [Int] {
            Set((0..<flat.partCount).filter { boxes[$0].contains(p) && flat.contains(part: $0, x: p.x, y: p.y) }.map { Int(keys[$0]) }).sorted()
        }
    }

    static func ring(_ points: [(Double, Double)]) -> [Coordinate] { points.map { Coordinate(x: $0.0, y: $0.1) } }

    static func rectangle(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [Coordinate] {
        ring([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    }

    /// A ring of `teeth` narrow vertical teeth on a base, counter-clockwise, not closed: many edges ending inside
    /// any row of buckets, the case where edges east of a bucket count by their ends' y.
    static func comb(x: Double, y: Double, teeth: Int, width: Double, height: Double) -> [Coordinate] {
        var points: [(Double, Double)] = [(x, y), (x + Double(teeth) * width, y)]
        for k in stride(from: teeth - 1, through: 0, by: -1) {
            let left = x + Double(k) * width
            points += [(left + width, y + height), (left + width / 2, y + height), (left + width / 2, y + 1)]
            if k > 0 { points.append((left, y + 1)) }
        }
        points.append((x, y + height))
        return ring(points)
    }

    /// A regular polygon of `n` vertices (sloping edges everywhere).
    static func circle(cx: Double, cy: Double, r: Double, n: Int, start: Double = 0.1) -> [Coordinate] {
        ring((0...n).map { k in
            let a = start + 2 * Double.pi * Double(k % n) / Double(n)
            return (cx + r * cos(a), cy + r * sin(a))
        })
    }

    /// Points that probe every kind of bucket: random ones, every vertex, the middles of edges, and points on
    /// bucket boundaries and on the lines through vertices, where rounding and the half-open rule bite.
    static func probes(_ layer: Layer, grid: BucketGrid, bounds: BoundingBox, count: Int, seed: UInt64) -> [Coordinate] {
        var rng = SeededGenerator(seed: seed)
        var result: [Coordinate] = []
        let xs = layer.flat.xs, ys = layer.flat.ys
        for k in xs.indices {
            result.append(Coordinate(x: xs[k], y: ys[k]))
            let next = k + 1 < xs.count ? k + 1 : 0
            result.append(Coordinate(x: (xs[k] + xs[next]) / 2, y: (ys[k] + ys[next]) / 2))
            result.append(Coordinate(x: xs[k], y: rng.uniform(bounds.minY...bounds.maxY)))
            result.append(Coordinate(x: rng.uniform(bounds.minX...bounds.maxX), y: ys[k]))
        }
        for _ in 0..<count {
            let column = Double(Int.random(in: 0...grid.columns, using: &rng)), row = Double(Int.random(in: 0...grid.rows, using: &rng))
            let onColumn = grid.originX + column * grid.cellSize, onRow = grid.originY + row * grid.cellSize
            result.append(Coordinate(x: onColumn, y: rng.uniform(bounds.minY...bounds.maxY)))
            result.append(Coordinate(x: rng.uniform(bounds.minX...bounds.maxX), y: onRow))
            result.append(Coordinate(x: onColumn, y: onRow))
            result.append(Coordinate(x: rng.uniform((bounds.minX - 1)...(bounds.maxX + 1)), y: rng.uniform((bounds.minY - 1)...(bounds.maxY + 1))))
        }
        return result
    }

    static func expectAgreement(_ layer: Layer, bucketsPerPart: Double, seed: UInt64, resolves: Bool? = nil) {
        let buckets = PolygonBuckets(parts: layer.flat, boxes: layer.boxes, keys: layer.keys, bucketsPerPart: bucketsPerPart)
        guard let bounds = buckets.bounds else {
            Issue.record("no bounds")
            return
        }
        var differing = 0
        for p in probes(layer, grid: buckets.grid, bounds: bounds, count: 3_000, seed: seed) {
            var all: [Int] = []
            buckets.forEachKey(holding: p) { key in
                all.append(key)
                return true
            }
            var first: Int?
            buckets.forEachKey(holding: p) { key in
                first = key
                return false
            }
            let expected = layer.bruteForce(p)
            if all != expected || first != expected.first {
                differing += 1
                if differing <= 5 { Issue.record("\(p): \(all) (first \(String(describing: first))), expected \(expected)") }
            }
        }
        #expect(differing == 0)
        // With buckets small beside the parts, the fast paths were taken, not only whole-part tests.
        if resolves ?? (bucketsPerPart >= 16) {
            let census = buckets.census
            #expect(census.soleHolder + census.holders > 0)
        }
    }

    @Test(arguments: [1.0, 4.0, 16.0, 64.0])
    func aTilingOfSkewedQuadsAgreesWithTestingEveryPart(bucketsPerPart: Double) {
        // A 12 x 9 lattice of shared, perturbed vertices: neighbours share their edges exactly, none is axis-parallel.
        func vertex(_ i: Int, _ j: Int) -> (Double, Double) {
            (Double(i) + 0.13 * sin(Double(j) * 1.7 + Double(i)), Double(j) + 0.11 * cos(Double(i) * 2.3 - Double(j)))
        }
        var layer = Layer()
        for j in 0..<9 {
            for i in 0..<12 {
                layer.add([Self.ring([vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1), vertex(i, j + 1), vertex(i, j)])], key: j * 12 + i)
            }
        }
        Self.expectAgreement(layer, bucketsPerPart: bucketsPerPart, seed: 1)
    }

    @Test(arguments: [1.0, 16.0])
    func overlappingRectanglesAndAMultiPartKeyAgree(bucketsPerPart: Double) {
        var rng = SeededGenerator(seed: 5)
        var layer = Layer()
        for k in 0..<120 {
            // Coordinates on a coarse lattice, so that rectangles share edges and corners and meet bucket lines.
            let x = (rng.uniform(0...20) * 4).rounded() / 4, y = (rng.uniform(0...10) * 4).rounded() / 4
            let w = (rng.uniform(0.25...4) * 4).rounded() / 4, h = (rng.uniform(0.25...3) * 4).rounded() / 4
            layer.add([Self.rectangle(x, y, x + w, y + h)], key: k)
        }
        // Two overlapping parts of one key, one of them holding whole buckets.
        layer.add([Self.rectangle(2, 2, 9, 8)], key: 120)
        layer.add([Self.rectangle(5, 5, 12, 11)], key: 120)
        Self.expectAgreement(layer, bucketsPerPart: bucketsPerPart, seed: 2)
    }

    @Test(arguments: [4.0, 64.0])
    func polygonsOfManyEdgesWithHolesAgree(bucketsPerPart: Double) {
        var layer = Layer()
        // Combs (edges ending inside a bucket row, east of it), a circle with a hole shaped as a comb, and an
        // annulus of sloping edges: the subset tests.
        layer.add([Self.comb(x: 0, y: 0, teeth: 24, width: 0.5, height: 6)], key: 0)
        layer.add([Self.circle(cx: 20, cy: 5, r: 6, n: 90), Self.comb(x: 16, y: 3, teeth: 8, width: 1, height: 4)], key: 1)
        layer.add([Self.circle(cx: 8, cy: 14, r: 5, n: 70), Self.circle(cx: 8, cy: 14, r: 2, n: 40, start: 0.3)], key: 2)
        // Overlapping the others, so buckets hold holders and tests of several keys.
        layer.add([Self.circle(cx: 12, cy: 6, r: 7, n: 33, start: 0.7)], key: 3)
        Self.expectAgreement(layer, bucketsPerPart: bucketsPerPart, seed: 3)
    }

    @Test func keysNeedNotFollowPartOrderAndAnInvalidHoleOutsideItsExteriorStaysOutside() {
        var layer = Layer()
        layer.add([Self.circle(cx: 5, cy: 5, r: 4, n: 40)], key: 7)
        // The "hole" lies outside the exterior: the parity is odd there, but the point is outside the part's box.
        layer.add([Self.rectangle(0, 0, 3, 3), Self.circle(cx: 7, cy: 7, r: 1.5, n: 30)], key: 2)
        layer.add([Self.rectangle(1, 1, 9, 4)], key: 5)
        Self.expectAgreement(layer, bucketsPerPart: 64, seed: 4)
    }

    @Test func aHoleWithANonFiniteVertexIsTestedWhole() {
        var layer = Layer()
        layer.add([Self.rectangle(0, 0, 4, 4), Self.ring([(1, 1), (2, .nan), (3, 1), (1, 1)])], key: 0)
        layer.add([Self.circle(cx: 3, cy: 3, r: 2, n: 24)], key: 1)
        Self.expectAgreement(layer, bucketsPerPart: 16, seed: 6, resolves: false)
    }

    @Test func bucketsInsideOnePolygonAnswerWithoutATestAndKeepTheHalfOpenRule() {
        // A 4 x 4 tiling of unit squares, 16 buckets to a square: the 2 x 2 buckets in the middle of each square
        // touch none of its edges and are answered from the directory alone.
        var layer = Layer()
        for j in 0..<4 {
            for i in 0..<4 { layer.add([Self.rectangle(Double(i), Double(j), Double(i + 1), Double(j + 1))], key: j * 4 + i) }
        }
        let buckets = PolygonBuckets(parts: layer.flat, boxes: layer.boxes, keys: layer.keys, bucketsPerPart: 16)
        #expect(buckets.grid.cellSize == 0.25 && buckets.grid.columns == 16)
        #expect(buckets.census.soleHolder == 64)
        func keys(_ x: Double, _ y: Double) -> [Int] {
            var found: [Int] = []
            buckets.forEachKey(holding: Coordinate(x: x, y: y)) { key in
                found.append(key)
                return true
            }
            return found
        }
        #expect(keys(0.3, 0.3) == [0] && keys(2.6, 3.4) == [14])
        // On shared edges and corners (bucket lines too): the square east, north, north-east.
        #expect(keys(1, 0.3) == [1] && keys(0.3, 1) == [4] && keys(1, 1) == [5] && keys(1, 0.25) == [1])
        // The outer east and north edges belong to no square; the west and south ones do.
        #expect(keys(4, 2.5) == [] && keys(2.5, 4) == [] && keys(0, 2.5) == [8] && keys(2.5, 0) == [2])
    }

    @Test func aRectangleIsOneRingOfCornersWithOneSideEachWay() {
        var flat = FlatPolygons()
        let box = BoundingBox(minX: 0, minY: 0, maxX: 2, maxY: 1)
        flat.append(rings: [Self.rectangle(0, 0, 2, 1)])
        // Clockwise and not closed.
        flat.append(rings: [Self.ring([(0, 0), (0, 1), (2, 1), (2, 0)])])
        // Twice round: every point is crossed twice, so nothing is inside.
        flat.append(rings: [Self.ring([(0, 0), (2, 0), (2, 1), (0, 1), (0, 0), (2, 0), (2, 1), (0, 1), (0, 0)])])
        // A vertex that is no corner, a hole, a sloping edge.
        flat.append(rings: [Self.ring([(0, 0), (1, 0), (2, 0), (2, 1), (0, 1), (0, 0)])])
        flat.append(rings: [Self.rectangle(0, 0, 2, 1), Self.rectangle(0.5, 0.25, 1, 0.75)])
        flat.append(rings: [Self.ring([(0, 0), (2, 0), (2, 1), (0.1, 1), (0, 0)])])
        #expect((0..<6).map { flat.isRectangle(part: $0, box: box) } == [true, true, false, false, false, false])
        #expect(!flat.isRectangle(part: 0, box: BoundingBox(minX: 0, minY: 0, maxX: 2, maxY: 2)))
    }

    @Test func keysOfBoxesIntersectingABoxCountTouchingEdges() {
        var layer = Layer()
        layer.add([Self.rectangle(0, 0, 2, 2)], key: 3)
        layer.add([Self.circle(cx: 5, cy: 5, r: 1, n: 12)], key: 1)
        layer.add([Self.rectangle(4, 0, 6, 1)], key: 3)
        let buckets = PolygonBuckets(parts: layer.flat, boxes: layer.boxes, keys: layer.keys)
        #expect(buckets.keys(ofBoxesIntersecting: BoundingBox(minX: 2, minY: 1, maxX: 4.5, maxY: 4.5)) == [1, 3])
        #expect(buckets.keys(ofBoxesIntersecting: BoundingBox(minX: 2.5, minY: 1.5, maxX: 3.5, maxY: 3.5)) == [])
    }

    @Test func anEmptyLayerHoldsNothing() {
        let buckets = PolygonBuckets(parts: FlatPolygons(), boxes: [], keys: [])
        var found = false
        buckets.forEachKey(holding: Coordinate(x: 0, y: 0)) { _ in
            found = true
            return true
        }
        #expect(!found && buckets.bounds == nil)
    }
}
