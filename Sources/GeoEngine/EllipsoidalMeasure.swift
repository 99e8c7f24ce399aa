internal import CPROJ
import GeoCore

/// Areas, lengths and distances on the CGCS2000 ellipsoid (GRS 80) with Karney's geodesic algorithms
/// (PROJ's geodesic.h), accurate to nanometres. Pure functions: safe from any task.
public enum EllipsoidalMeasure {
    /// GRS 80 (CGCS2000): WGS 84 differs by 0.1 mm in the semi-minor axis.
    private static let semiMajorAxis = 6_378_137.0
    private static let flattening = 1 / 298.257222101

    private static func withGeodesic<R>(_ body: (UnsafePointer<geod_geodesic>) -> R) -> R {
        var geodesic = geod_geodesic()
        geod_init(&geodesic, semiMajorAxis, flattening)
        return body(&geodesic)
    }

    /// Distance in metres between two lon/lat positions.
    public static func distance(from a: Coordinate, to b: Coordinate) -> Double {
        withGeodesic { g in
            var s12 = 0.0
            geod_inverse(g, a.y, a.x, b.y, b.x, &s12, nil, nil)
            return s12
        }
    }

    /// Area in m² of polygons (exterior minus holes); lines and points have none.
    public static func area(of geometry: Geometry) -> Double {
        geometry.polygons.reduce(0) { total, polygon in
            total + abs(ringArea(polygon.exterior)) - polygon.holes.reduce(0) { $0 + abs(ringArea($1)) }
        }
    }

    /// Length in metres of lines, or the perimeter (all rings) of polygons.
    public static func length(of geometry: Geometry) -> Double {
        switch geometry {
        case .lineString(let l): return pathLength(l.coordinates)
        case .multiLineString(let m): return m.lineStrings.reduce(0) { $0 + pathLength($1.coordinates) }
        case .polygon(let p): return p.rings.reduce(0) { $0 + pathLength($1) }
        case .multiPolygon(let m): return m.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + pathLength($1) } }
        case .geometryCollection(let c): return c.geometries.reduce(0) { $0 + length(of: $1) }
        case .point, .multiPoint: return 0
        }
    }

    private static func pathLength(_ coordinates: [Coordinate]) -> Double {
        guard coordinates.count > 1 else { return 0 }
        var total = 0.0
        for k in 1..<coordinates.count { total += distance(from: coordinates[k - 1], to: coordinates[k]) }
        return total
    }

    /// Signed area of a closed ring (counter-clockwise positive).
    private static func ringArea(_ ring: [Coordinate]) -> Double {
        guard ring.count > 3 else { return 0 }
        var latitudes = ring.dropLast().map(\.y)
        var longitudes = ring.dropLast().map(\.x)
        return withGeodesic { g in
            var area = 0.0
            geod_polygonarea(g, &latitudes, &longitudes, Int32(latitudes.count), &area, nil)
            return area
        }
    }
}
