import GeoCore
import GeoEngine

/// An immutable in-memory index answering "which polygon holds this point" in well under a microsecond, for
/// layers that tile the plane (unit grids, communities, streets) or merely cover parts of it, overlapping or not.
///
/// Polygons are flattened into contiguous coordinate arrays and bucketed on a uniform grid sized from the median
/// polygon (``PolygonBuckets``). Each bucket's answer is worked out at build time as far as it can be: a polygon
/// holding the whole bucket is listed as the answer, one missing it is not listed, and only polygons whose edges
/// cross the bucket are tested at lookup, an axis-aligned rectangle against its box and a polygon of many edges on
/// the few edges that matter there. So most lookups run no crossing test, and a lookup of every holder
/// (``locateAll(_:into:)``) costs about what a lookup of one does.
///
/// **Edges.** The crossing test is half-open, so where polygons share an edge exactly (as unit grids do) a
/// point on that edge belongs to exactly one of them: the polygon to the east of a north-south edge, to the
/// north of an east-west edge. When polygons overlap, the one added first wins. The answers are exactly those of
/// testing every polygon whose box holds the point in full.
///
/// **Overlaps.** Built with `checkingOverlaps`, the index proves whether any two entries' polygons overlap
/// (``overlapping``). When none do (a tiling: unit grids, communities, governance grids), no point has two
/// holders, so ``locateAll(_:into:)`` stops at the first one as ``locate(_:)`` does, not reading the rest of the bucket.
/// The crossing test rounds: a shared edge is decided alike for both neighbours (see
/// `Planar.edgeCrossesEastRay`), but where two polygons meet only at a vertex, or one's edge runs along two of the
/// other's (a T-junction), a point within about an ulp of it could in principle be counted in both, and the
/// first-holder answer then names one of them (none were found over the scale-13 unit grids' vertices and edges).
public struct PolygonIndex: Sendable {
    /// The polygons' parts, keyed by their entry (the caller's index).
    private let buckets: PolygonBuckets

    /// The number of entries the index was built from.
    public let count: Int
    /// Whether some two entries' polygons overlap (share interior points; touching along edges or at corners is
    /// no overlap): false only when proven for every pair, nil when the index was built without checking.
    /// Parts of one entry (a multipolygon's) may overlap each other; that is no overlap of two entries.
    public let overlapping: Bool?
    /// The bounding box of every polygon; nil when the index is empty.
    public var bounds: BoundingBox? { buckets.bounds }

    /// Builds the index. Entry `i` of the result is `geometries[i]`; non-polygonal geometries are skipped.
    /// - Parameters:
    ///   - bucketsPerPolygon: about how many buckets a polygon of the median size spans: more buckets answer more
    ///     points without a crossing test and cost memory; nil chooses from the polygons' edge counts (see
    ///     ``PolygonBuckets``).
    ///   - checkingOverlaps: prove whether any two entries overlap (``overlapping``), so that ``locateAll(_:into:)``
    ///     of a layer that does not stops at the first holder. Pairs whose boxes share interior points are tested
    ///     exactly, most by a line through an edge that separates them (neighbours in a tiling), the rest by GEOS;
    ///     the check stops at the first overlap found.
    public init(_ geometries: [Geometry?], bucketsPerPolygon: Double? = nil, checkingOverlaps: Bool = false) {
        var flat = FlatPolygons()
        var partBoxes: [BoundingBox] = []
        var partEntry: [Int32] = []
        for (entry, geometry) in geometries.enumerated() {
            guard let geometry else { continue }
            let parts: [Polygon] =
                switch geometry {
                case .polygon(let p): [p]
                case .multiPolygon(let m): m.polygons
                default: []
                }
            for part in parts {
                // The exterior's box: holes lie inside it in any valid polygon.
                guard let box = BoundingBox(coordinates: part.exterior) else { continue }
                // Closing vertices left out: a fifth less to read for a quadrilateral, the same answers.
                flat.append(rings: part.rings, opening: true)
                partBoxes.append(box)
                partEntry.append(Int32(entry))
            }
        }
        buckets = PolygonBuckets(parts: flat, boxes: partBoxes, keys: partEntry, bucketsPerPart: bucketsPerPolygon)
        self.count = geometries.count
        if checkingOverlaps {
            // A box of a non-finite vertex pairs with nothing; its part cannot be proven apart from the others.
            let finite = partBoxes.allSatisfy { $0.minX.isFinite && $0.minY.isFinite && $0.maxX.isFinite && $0.maxY.isFinite }
            overlapping = !finite || Self.anyOverlap(geometries, pairs: buckets.keyPairsWithOverlappingBoxes())
        } else {
            overlapping = nil
        }
    }

    /// Whether some pair of `pairs` overlaps, tested in order up to the first that does: first by a line through
    /// an edge of either that separates them (exact, and what neighbours in a tiling have), then part by part, by
    /// such a line again or by GEOS on the parts' interiors. A part is tested alone because the lookup takes an
    /// entry's inside as the union of its parts' (overlapping parts of one multipolygon are allowed), and by
    /// parity, which is GEOS's interior only for a valid polygon: an invalid part (or a GEOS failure) counts as
    /// overlapping, never a wrong "no overlap".
    private static func anyOverlap(_ geometries: [Geometry?], pairs: [(Int, Int)]) -> Bool {
        var parts = [[(polygon: Polygon, box: BoundingBox?)]?](repeating: nil, count: geometries.count)
        var rings = [[[Coordinate]]?](repeating: nil, count: geometries.count)
        var valid: [Int: [Bool]] = [:]
        var engine: GeometryEngine?
        // Each entry's parts with their exteriors' boxes, read once however many pairs it is in.
        func polygons(_ k: Int) -> [(polygon: Polygon, box: BoundingBox?)] {
            if let known = parts[k] { return known }
            let all = (geometries[k]?.polygons ?? []).map { (polygon: $0, box: BoundingBox(coordinates: $0.exterior)) }
            parts[k] = all
            return all
        }
        // Every ring, holes too: an invalid polygon's hole may lie outside its exterior and count as inside.
        func allRings(_ k: Int) -> [[Coordinate]] {
            if let known = rings[k] { return known }
            let all = polygons(k).flatMap(\.polygon.rings)
            rings[k] = all
            return all
        }
        for (i, j) in pairs {
            if Planar.separatedByAnEdgeLine(allRings(i), allRings(j)) { continue }
            if engine == nil { engine = try? GeometryEngine() }
            guard let engine else { return true }
            for k in [i, j] where valid[k] == nil {
                valid[k] = polygons(k).map { (try? engine.validate(.polygon($0.polygon)).isValid) ?? false }
            }
            for (m, a) in polygons(i).enumerated() {
                for (n, b) in polygons(j).enumerated() {
                    guard let boxA = a.box, let boxB = b.box, boxA.sharesInterior(with: boxB),
                        !Planar.separatedByAnEdgeLine(a.polygon.rings, b.polygon.rings)
                    else { continue }
                    guard valid[i]![m], valid[j]![n], (try? engine.relate(.polygon(a.polygon), .polygon(b.polygon), pattern: "T********")) == false else {
                        return true
                    }
                }
            }
        }
        return false
    }

    /// The entry whose polygon holds `point`, or nil when none does.
    public func locate(_ point: Coordinate) -> Int? {
        // Keys come lowest first: the first holder is the entry added first.
        var found: Int?
        buckets.forEachKey(holding: point) { entry in
            found = entry
            return false
        }
        return found
    }

    /// Every entry whose polygon holds `point`, ascending (for layers whose polygons overlap, e.g. fences).
    public func locateAll(_ point: Coordinate) -> [Int] {
        var result: [Int] = []
        locateAll(point, into: &result)
        return result
    }

    /// Replaces `entries` with every entry whose polygon holds `point`, ascending and each once: the form for hot
    /// loops over overlapping layers (lookup families), which reuse one array instead of allocating per point.
    public func locateAll(_ point: Coordinate, into entries: inout [Int]) {
        // Entries overwrite the array's old ones and it is cut to length after: for the usual single holder or
        // none, the array is neither emptied nor grown (each a call into the runtime).
        var found = 0
        // Where no two polygons overlap the first holder is the only one: the rest of the bucket is not read.
        let every = overlapping != false
        buckets.forEachKey(holding: point) { entry in
            if found < entries.count { entries[found] = entry } else { entries.append(entry) }
            found += 1
            return every
        }
        if found < entries.count { entries.removeLast(entries.count - found) }
    }

    /// Entries whose bounding box intersects `box`, ascending.
    public func candidates(intersecting box: BoundingBox) -> [Int] { buckets.keys(ofBoxesIntersecting: box) }

    /// Every pair of entries (i, j), i < j, whose polygons may overlap: some part boxes of theirs share interior
    /// points (see ``PolygonBuckets/keyPairsWithOverlappingBoxes()``). Ascending by i, then j.
    public func candidatePairs() -> [(Int, Int)] { buckets.keyPairsWithOverlappingBoxes() }
}
