import GeoCore

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
public struct PolygonIndex: Sendable {
    /// The polygons' parts, keyed by their entry (the caller's index).
    private let buckets: PolygonBuckets

    /// The number of entries the index was built from.
    public let count: Int
    /// The bounding box of every polygon; nil when the index is empty.
    public var bounds: BoundingBox? { buckets.bounds }

    /// Builds the index. Entry `i` of the result is `geometries[i]`; non-polygonal geometries are skipped.
    /// - Parameter bucketsPerPolygon: about how many buckets a polygon of the median size spans: more buckets
    ///   answer more points without a crossing test and cost memory; nil chooses from the polygons' edge counts
    ///   (see ``PolygonBuckets``).
    public init(_ geometries: [Geometry?], bucketsPerPolygon: Double? = nil) {
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
        buckets.forEachKey(holding: point) { entry in
            if found < entries.count { entries[found] = entry } else { entries.append(entry) }
            found += 1
            return true
        }
        if found < entries.count { entries.removeLast(entries.count - found) }
    }

    /// Entries whose bounding box intersects `box`, ascending.
    public func candidates(intersecting box: BoundingBox) -> [Int] { buckets.keys(ofBoxesIntersecting: box) }
}
