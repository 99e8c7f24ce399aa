import Foundation
import GeoCore

/// A neighbour found by a `PointLayerIndex` query.
@MemberwiseInit
public struct Neighbour: Hashable, Sendable {
    /// Index of the feature in the array the index was built from.
    public let index: Int
    /// Great-circle distance in metres (haversine on the mean sphere: within 0.3 % of the ellipsoid at
    /// city scale, i.e. under 3 cm per 10 m).
    public let distanceMetres: Double
}

/// An immutable in-memory index of point features (staff positions, components, cameras) answering k-nearest
/// and within-radius/within-polygon queries in microseconds, with attribute filters.
///
/// Points are bucketed on a uniform lon/lat grid; nearest-neighbour search visits rings of buckets outward
/// and stops once no unvisited bucket can hold anything closer than the k-th best found.
public struct PointLayerIndex: Sendable {
    public let features: [Feature]
    private let coordinates: [Coordinate]
    private let bucketStart: [Int32]
    private let bucketItems: [Int32]
    private let grid: BucketGrid
    /// The smallest east-west or north-south size of a bucket in metres anywhere in the index.
    private let minimumCellMetres: Double

    /// Indexes the point features (other geometry types and invalid positions are skipped).
    /// - Parameter cellMetres: bucket size; ~ the typical query radius works well.
    public init(_ features: [Feature], cellMetres: Double = 250) {
        self.features = features
        var coordinates: [Coordinate] = []
        var members: [Int32] = []
        for (k, feature) in features.enumerated() {
            if case .point(let p)? = feature.geometry, p.coordinate.isValidGeographic {
                coordinates.append(p.coordinate)
                members.append(Int32(k))
            } else {
                coordinates.append(Coordinate(x: .nan, y: .nan))
            }
        }
        let located = members.map { coordinates[Int($0)] }
        let box = BoundingBox(coordinates: located) ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        let cellDegrees = cellMetres / 111_320
        let grid = BucketGrid(
            originX: box.minX, originY: box.minY, cellSize: cellDegrees,
            columns: max(1, Int((box.width / cellDegrees).rounded(.up)) + 1), rows: max(1, Int((box.height / cellDegrees).rounded(.up)) + 1))
        let maxLatitude = min(89.9, max(abs(box.minY), abs(box.maxY)))
        minimumCellMetres = cellDegrees * 111_320 * min(1, cos(maxLatitude * .pi / 180)) * 0.995
        self.grid = grid
        let buckets = BucketLists(bucketCount: grid.bucketCount) { add in
            for k in members {
                let c = coordinates[Int(k)]
                add(k, grid.clampedBucket(ofX: c.x, y: c.y))
            }
        }
        self.coordinates = coordinates
        bucketStart = buckets.starts
        bucketItems = buckets.items
    }

    /// The `k` nearest features to `point` that pass `filter`, nearest first (ties by index), none farther
    /// than `maxDistanceMetres` when given.
    public func nearest(to point: Coordinate, k: Int, maxDistanceMetres: Double? = nil, filter: AttributeFilter? = nil) -> [Neighbour] {
        guard k > 0, point.isValidGeographic, !bucketItems.isEmpty else { return [] }
        let (col, row) = grid.cell(of: point)
        var best: [Neighbour] = []
        let limit = maxDistanceMetres ?? .infinity
        // Rings nearer than the grid's edge hold no bucket; rings beyond its far edge hold none either.
        var ring = grid.firstRing(around: col, row)
        let maxRing = ring + max(grid.columns, grid.rows)
        while ring <= maxRing {
            grid.forEachBucket(inRing: ring, around: col, row) { b in
                for slot in Int(bucketStart[b])..<Int(bucketStart[b + 1]) {
                    let index = Int(bucketItems[slot])
                    let distance = Geodesic.haversineDistance(from: point, to: coordinates[index])
                    guard distance <= limit, filter?.matches(features[index].properties) ?? true else { continue }
                    insert(Neighbour(index: index, distanceMetres: distance), into: &best, keeping: k)
                }
            }
            // Anything not yet visited is at least `ring` whole buckets away.
            let reach = Double(ring) * minimumCellMetres
            if (best.count == k && best[k - 1].distanceMetres <= reach) || reach > limit { break }
            ring += 1
        }
        return best
    }

    /// Every feature within `radiusMetres` of `point` that passes `filter`, nearest first.
    public func within(radiusMetres: Double, of point: Coordinate, filter: AttributeFilter? = nil) -> [Neighbour] {
        guard radiusMetres >= 0, point.isValidGeographic, !bucketItems.isEmpty else { return [] }
        let (col, row) = grid.cell(of: point)
        let first = grid.firstRing(around: col, row)
        let rings = min(Int(min(radiusMetres / minimumCellMetres, 1e9).rounded(.up)) + 1, first + max(grid.columns, grid.rows))
        var found: [Neighbour] = []
        guard first <= rings else { return [] }
        for ring in first...rings {
            grid.forEachBucket(inRing: ring, around: col, row) { b in
                for slot in Int(bucketStart[b])..<Int(bucketStart[b + 1]) {
                    let index = Int(bucketItems[slot])
                    let distance = Geodesic.haversineDistance(from: point, to: coordinates[index])
                    if distance <= radiusMetres, filter?.matches(features[index].properties) ?? true {
                        found.append(Neighbour(index: index, distanceMetres: distance))
                    }
                }
            }
        }
        return found.sorted { ($0.distanceMetres, $0.index) < ($1.distanceMetres, $1.index) }
    }

    /// Every feature inside a polygon or multipolygon (holes excluded, half-open edges as `PolygonIndex`),
    /// in index order.
    public func within(polygon: Geometry, filter: AttributeFilter? = nil) -> [Int] {
        guard let box = polygon.boundingBox, !bucketItems.isEmpty else { return [] }
        let shape = PolygonIndex([polygon])
        var found: [Int] = []
        grid.forEachBucket(overlapping: box) { b in
            for slot in Int(bucketStart[b])..<Int(bucketStart[b + 1]) {
                let index = Int(bucketItems[slot])
                if shape.locate(coordinates[index]) != nil, filter?.matches(features[index].properties) ?? true { found.append(index) }
            }
        }
        return found.sorted()
    }

    private func insert(_ candidate: Neighbour, into best: inout [Neighbour], keeping k: Int) {
        let key = (candidate.distanceMetres, candidate.index)
        if best.count == k, let last = best.last, key >= (last.distanceMetres, last.index) { return }
        let position = best.firstIndex { key < ($0.distanceMetres, $0.index) } ?? best.count
        best.insert(candidate, at: position)
        if best.count > k { best.removeLast() }
    }
}
