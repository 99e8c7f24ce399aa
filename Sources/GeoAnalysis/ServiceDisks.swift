import Foundation
import GeoCore
import GeoTrajectories

/// The area within a service radius of a facility: a polygon whose vertices lie on the geodesic circle of the
/// CGCS2000 ellipsoid, in the planar frame of an analysis.
///
/// The polygon has enough vertices that its edges sag at most ``ServiceDisk/sagTolerance`` inside the circle, and
/// its vertices sit at the radius that gives it the circle's area, so shares of area are unbiased. The frame is
/// affine in longitude and latitude, so ratios of areas in it are ratios on the ellipsoid over a unit grid's size.
struct ServiceDisk {
    let centre: Coordinate
    /// Closed ring, counter-clockwise, frame metres.
    let ring: [Coordinate]
    /// Angle of each vertex seen from the centre, increasing from angles[0] to angles[0] + 2π (closing vertex).
    let angles: [Double]
    /// Every point this close to the centre is inside; every point farther than `outer` is outside.
    let inner: Double
    let outer: Double
    let box: BoundingBox

    /// The largest gap between the polygon's edges and the true circle, in metres.
    static let sagTolerance = 0.05

    /// Vertices for a radius: enough for the sag tolerance, at least 32, at most 1,024.
    static func vertexCount(radius: Double) -> Int {
        let step = acos(max(-1, 1 - sagTolerance / radius))
        return min(1_024, max(32, Int((Double.pi / step).rounded(.up))))
    }

    init(centre: Coordinate, ring: [Coordinate]) {
        self.centre = centre
        self.ring = ring
        var angles: [Double] = []
        angles.reserveCapacity(ring.count)
        var previous = -Double.infinity
        for v in ring {
            var a = atan2(v.y - centre.y, v.x - centre.x)
            while a < previous { a += 2 * .pi }
            angles.append(a)
            previous = a
        }
        self.angles = angles
        var inner = Double.infinity, outer = 0.0
        for k in 0..<(ring.count - 1) {
            outer = max(outer, Planar.distance(centre, ring[k]))
            inner = min(inner, Planar.segmentDistance(centre, ring[k], ring[k + 1]).distance)
        }
        self.inner = inner
        self.outer = outer
        self.box = BoundingBox(coordinates: ring)!
    }

    /// Whether a frame point is inside the disk polygon (on the boundary counts as inside).
    func contains(_ p: Coordinate) -> Bool {
        let d = Planar.distance(p, centre)
        if d <= inner { return true }
        if d > outer { return false }
        let n = ring.count - 1
        var a = atan2(p.y - centre.y, p.x - centre.x)
        while a < angles[0] { a += 2 * .pi }
        while a >= angles[n] { a -= 2 * .pi }
        // Vertices are nearly evenly spaced: start at the estimate and step to the edge whose wedge holds the angle.
        var k = min(n - 1, max(0, Int((a - angles[0]) / (2 * .pi) * Double(n))))
        while k > 0 && angles[k] > a { k -= 1 }
        while k < n - 1 && angles[k + 1] <= a { k += 1 }
        let u = ring[k], v = ring[k + 1]
        return (v.x - u.x) * (p.y - u.y) - (v.y - u.y) * (p.x - u.x) >= 0
    }
}

/// Geodesic circles of one radius around facilities at any latitude: the shape of such a circle in degrees
/// depends only on the latitude of its centre, so it is computed (Vincenty's direct formula on CGCS2000) at
/// latitudes 0.01° apart and interpolated linearly between them — hundreds of exact circles stand for thousands
/// of facilities, and the interpolation moves a vertex by well under a millimetre.
struct GeodesicCircles {
    let radius: Double
    let vertexCount: Int
    /// The equal-area radius of the polygon (slightly larger than the circle's).
    let vertexRadius: Double
    private var shapes: [Int: [Coordinate]] = [:]
    static let latitudeStep = 0.01

    init(radius: Double) {
        self.radius = radius
        vertexCount = ServiceDisk.vertexCount(radius: radius)
        let n = Double(vertexCount)
        vertexRadius = radius * (2 * Double.pi / (n * sin(2 * Double.pi / n))).squareRoot()
    }

    /// Offsets (degrees) of the vertices, counter-clockwise from east, around a centre at latitude `step · key`.
    private mutating func shape(_ key: Int) -> [Coordinate] {
        if let cached = shapes[key] { return cached }
        let centre = Coordinate(longitude: 0, latitude: Double(key) * Self.latitudeStep)
        let offsets = (0..<vertexCount).map { k -> Coordinate in
            // Counter-clockwise from east is clockwise from north starting at 90°.
            let azimuth = 90 - 360 * Double(k) / Double(vertexCount)
            let c = Geodesic.destination(from: centre, azimuth: azimuth, distance: vertexRadius, ellipsoid: .cgcs2000).coordinate
            return Coordinate(x: c.x - centre.x, y: c.y - centre.y)
        }
        shapes[key] = offsets
        return offsets
    }

    /// The closed lon/lat ring of the circle around `centre`.
    mutating func ring(around centre: Coordinate) -> [Coordinate] {
        let position = centre.latitude / Self.latitudeStep
        let low = Int(position.rounded(.down))
        let w = position - Double(low)
        let a = shape(low), b = shape(low + 1)
        var ring = (0..<vertexCount).map { k in
            Coordinate(x: centre.x + a[k].x + (b[k].x - a[k].x) * w, y: centre.y + a[k].y + (b[k].y - a[k].y) * w)
        }
        ring.append(ring[0])
        return ring
    }
}
