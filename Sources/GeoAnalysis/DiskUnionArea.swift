import Foundation
import GeoCore
import GeoTrajectories

/// The exact area of a polygon's intersection with a union of service disks, by Green's theorem instead of
/// polygon overlay.
///
/// The area of a region is half the integral of x dy − y dx around its boundary. The boundary of P ∩ (D₁ ∪ … ∪ Dₖ)
/// is made of the parts of P's edges inside some disk and the parts of each disk's edges inside P and outside
/// every other disk, each kept in its own orientation (exterior counter-clockwise, holes clockwise). So the area is
/// a sum over edge pieces, found by cutting each edge where it crosses the other boundaries and testing the middle
/// of each piece: no polygon is built, the cost grows with the number of crossings and not as 2ᵏ, and the answer
/// is exact to rounding for any number of overlapping disks.
///
/// Coincident disks would make coincident edges, whose pieces are neither inside nor outside each other: callers
/// pass each facility position once.
enum DiskUnionArea {
    typealias Intervals = ParameterIntervals.List

    /// Area of `polygon` covered by `disks`, in frame m² weighted by the ellipsoid's area scale (``AreaSums``).
    static func coveredArea(of polygon: ProjectedPolygon, disks: [ServiceDisk], slope: Double) -> Double {
        let box = polygon.box, rings = polygon.rings
        let near = disks.filter { $0.box.intersects(box) }
        guard !near.isEmpty else { return 0 }
        let whole = polygon.sums.area(slope: slope)
        // A disk holding every vertex of the exterior holds the polygon (disks are convex).
        if near.contains(where: { disk in rings[0].allSatisfy { Planar.distance($0, disk.centre) <= disk.inner } }) {
            return whole
        }
        var sums = AreaSums(origin: Coordinate(x: box.minX, y: box.minY))
        // Parts of the polygon's edges inside some disk.
        for ring in rings {
            for k in 0..<(ring.count - 1) {
                let a = ring[k], b = ring[k + 1]
                var covered: Intervals = []
                for disk in near where disk.box.intersects(segmentBox(a, b)) {
                    covered = ParameterIntervals.union(covered, inside(a, b, disk: disk))
                }
                sums.add(a, b, covered)
            }
        }
        // Parts of each disk's edges inside the polygon and outside the other disks.
        for (i, disk) in near.enumerated() {
            for k in disk.edges(facing: box) {
                let u = disk.ring[k], v = disk.ring[k + 1]
                let edgeBox = segmentBox(u, v)
                guard edgeBox.intersects(box) else { continue }
                var kept = inside(u, v, rings: rings)
                for (j, other) in near.enumerated() where j != i && !kept.isEmpty && other.box.intersects(edgeBox) {
                    kept = ParameterIntervals.subtract(kept, inside(u, v, disk: other))
                }
                sums.add(u, v, kept)
            }
        }
        return min(whole, max(0, sums.area(slope: slope)))
    }

    /// Exterior counter-clockwise, holes clockwise.
    static func oriented(_ rings: [[Coordinate]]) -> [[Coordinate]] {
        rings.enumerated().map { k, ring in
            let counterClockwise = Planar.signedArea(of: ring) > 0
            return counterClockwise == (k == 0) ? ring : ring.reversed()
        }
    }

    static func segmentBox(_ a: Coordinate, _ b: Coordinate) -> BoundingBox {
        BoundingBox(minX: min(a.x, b.x), minY: min(a.y, b.y), maxX: max(a.x, b.x), maxY: max(a.y, b.y))
    }

    /// The pieces of a–b inside a disk.
    static func inside(_ a: Coordinate, _ b: Coordinate, disk: ServiceDisk) -> Intervals {
        if Planar.distance(a, disk.centre) <= disk.inner && Planar.distance(b, disk.centre) <= disk.inner { return [(0, 1)] }
        if Planar.segmentDistance(disk.centre, a, b).distance > disk.outer { return [] }
        var cuts: [Double] = []
        for k in disk.edges(facing: segmentBox(a, b)) {
            if let (t, _) = RoadNetwork.intersection(a, b, disk.ring[k], disk.ring[k + 1]) { cuts.append(t) }
        }
        return pieces(a, b, cuts: cuts) { disk.contains($0) }
    }

    /// The pieces of a–b inside the polygon (even-odd over all rings).
    static func inside(_ a: Coordinate, _ b: Coordinate, rings: [[Coordinate]]) -> Intervals {
        var cuts: [Double] = []
        for ring in rings {
            for k in 0..<(ring.count - 1) {
                if let (t, _) = RoadNetwork.intersection(a, b, ring[k], ring[k + 1]) { cuts.append(t) }
            }
        }
        return pieces(a, b, cuts: cuts) { p in
            var inside = false
            for ring in rings {
                var j = ring.count - 2
                for i in 0..<(ring.count - 1) {
                    let yi = ring[i].y, yj = ring[j].y
                    if (yi > p.y) != (yj > p.y), p.x < ring[i].x + (p.y - yi) * (ring[j].x - ring[i].x) / (yj - yi) { inside.toggle() }
                    j = i
                }
            }
            return inside
        }
    }

    /// Cuts a–b at `cuts` and keeps the pieces whose middle passes `contains`, merged where they touch.
    static func pieces(_ a: Coordinate, _ b: Coordinate, cuts: [Double], contains: (Coordinate) -> Bool) -> Intervals {
        let stops = ([0.0] + cuts.sorted() + [1.0])
        var kept: Intervals = []
        for k in 0..<(stops.count - 1) where stops[k + 1] - stops[k] > 1e-12 {
            let t = (stops[k] + stops[k + 1]) / 2
            guard contains(Coordinate(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t)) else { continue }
            if let last = kept.last, last.1 >= stops[k] {
                kept[kept.count - 1].1 = stops[k + 1]
            } else {
                kept.append((stops[k], stops[k + 1]))
            }
        }
        return kept
    }
}

extension ServiceDisk {
    /// Indexes k of the edges ring[k]–ring[k + 1] that can meet `box`: those in the wedge of directions from the
    /// centre to the box's corners, or all when the box holds the centre.
    func edges(facing box: BoundingBox) -> [Int] {
        let n = ring.count - 1
        guard !box.contains(centre) else { return Array(0..<n) }
        let corners = [(box.minX, box.minY), (box.maxX, box.minY), (box.maxX, box.maxY), (box.minX, box.maxY)]
        let middle = atan2(box.center.y - centre.y, box.center.x - centre.x)
        var low = 0.0, high = 0.0
        for (x, y) in corners {
            var delta = atan2(y - centre.y, x - centre.x) - middle
            if delta > .pi { delta -= 2 * .pi }
            if delta < -.pi { delta += 2 * .pi }
            low = min(low, delta)
            high = max(high, delta)
        }
        guard high - low < .pi else { return Array(0..<n) }
        // Vertices are nearly evenly spaced; one edge of margin on each side covers the spacing's unevenness.
        let step = 2 * Double.pi / Double(n)
        let first = Int(((middle + low - angles[0]) / step).rounded(.down)) - 1
        let last = Int(((middle + high - angles[0]) / step).rounded(.up)) + 1
        guard last - first < n else { return Array(0..<n) }
        return (first...last).map { (($0 % n) + n) % n }
    }
}

/// Boundary integrals of a planar region, accumulated piece by piece: twice its area (∮ x dy − y dx) and its first
/// moment ∫∫ y dA (∮ x y dy), both relative to `origin` for precision.
///
/// The frame is affine in longitude and latitude, so its areas are the ellipsoid's times a scale that depends on
/// latitude only: M N cos φ over its value at the frame's origin (M, N the radii of curvature). To first order in
/// the north offset y that scale is 1 + slope · y, so area on the ellipsoid = A + slope · ∫∫ y dA: the moment
/// removes the scale's drift (1e-4 over 4 km at 33° N, 4e-3 at 20 km from the frame's centre) and leaves the
/// second-order term: 5e-8 of the area 2 km from the centre, 5e-6 at 20 km.
struct AreaSums {
    let origin: Coordinate
    private var twiceArea = 0.0
    private var moment = 0.0

    init(origin: Coordinate) { self.origin = origin }

    /// Adds the pieces (parameter intervals) of segment a–b.
    mutating func add(_ a: Coordinate, _ b: Coordinate, _ pieces: ParameterIntervals.List) {
        for (t0, t1) in pieces {
            let px = a.x + (b.x - a.x) * t0 - origin.x, py = a.y + (b.y - a.y) * t0 - origin.y
            let qx = a.x + (b.x - a.x) * t1 - origin.x, qy = a.y + (b.y - a.y) * t1 - origin.y
            let dx = qx - px, dy = qy - py
            twiceArea += px * qy - qx * py
            moment += dy * (px * py + (px * dy + py * dx) / 2 + dx * dy / 3)
        }
    }

    /// The area weighted by the scale 1 + slope · y (y the frame's north coordinate, not relative to `origin`).
    func area(slope: Double) -> Double {
        let area = twiceArea / 2
        return area + slope * (moment + origin.y * area)
    }

    /// d/dy of the ellipsoid's area scale relative to a frame at latitude `latitude` (per frame metre north).
    static func slope(atLatitude latitude: Double) -> Double {
        let f = 1 / 298.257222101, e2 = f * (2 - f)
        let phi = latitude * .pi / 180, s = sin(phi), c = cos(phi)
        let w2 = 1 - e2 * s * s
        let meridional = 6_378_137.0 * (1 - e2) / (w2 * w2.squareRoot())
        return (-s / c + 4 * e2 * s * c / w2) / meridional
    }
}
