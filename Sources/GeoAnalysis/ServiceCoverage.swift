import Foundation
import GeoCore
import GeoEngine
import GeoGrids
import GeoTrajectories

/// Service coverage (服务半径覆盖): which part of a target layer lies within a radius of a facility layer — parks
/// and 500 m, public toilets and 300 m — with the radius geodesic on the CGCS2000 ellipsoid.
///
/// Polygon targets (compounds, unit grids) are covered by area: the exact area of each polygon inside the union
/// of the facilities' disks (``DiskUnionArea``), times a weight (the polygon's ellipsoidal area, or a population
/// field spread evenly over it). Point targets are covered when their ellipsoidal distance to some facility is at
/// most the radius.
public struct ServiceCoverage: Sendable {
    /// What a target counts for.
    public enum Weight: Hashable, Sendable {
        /// Polygons by their ellipsoidal area in m² (points count 1).
        case area
        /// Every target counts 1 (a polygon's covered share of 1).
        case count
        /// A numeric property (population, households); targets without a number count 0.
        case field(String)
    }

    /// One target's coverage.
    public struct Target: Hashable, Sendable {
        /// Index of the feature in the targets given.
        public var index: Int
        /// Covered share of its area (polygons), or 0/1 (points).
        public var share: Double
        public var weight: Double
        public var coveredWeight: Double { weight * share }
        /// Ellipsoidal area in m² (0 for points).
        public var area: Double
        /// The most precise region code known for it (unit grid, community, street or district), if any.
        public var regionCode: String?
    }

    public let radiusMetres: Double
    /// Facility positions (lon/lat), each once.
    public let facilities: [Coordinate]
    public let frame: LocalFrame
    let disks: [ServiceDisk]
    /// Side of the cells that disks (and, in site selection, targets) are bucketed in, metres.
    let cellSize: Double
    private let cells: BoxCells

    /// The largest radius accepted: coverage is a city-scale question.
    public static let maximumRadiusMetres = 20_000.0

    /// Disks of `radiusMetres` around `facilities` in a frame centred on `bounds` (the extent of the targets).
    /// Invalid positions are skipped and repeated ones counted once.
    public init(facilities: [Coordinate], radiusMetres: Double, around bounds: BoundingBox) throws(GeoError) {
        guard radiusMetres > 0, radiusMetres <= Self.maximumRadiusMetres else {
            throw GeoError(
                code: .invalidArgument, message: "radius \(radiusMetres) m must be above 0 and at most \(Int(Self.maximumRadiusMetres))",
                location: "radius_m")
        }
        var seen = Set<Coordinate>()
        let unique = facilities.filter { $0.isValidGeographic && seen.insert($0).inserted }
        let frame = LocalFrame(origin: bounds.center)
        var circles = GeodesicCircles(radius: radiusMetres)
        let disks = unique.map { f in ServiceDisk(centre: frame.project(f), ring: circles.ring(around: f).map(frame.project)) }
        self.radiusMetres = radiusMetres
        self.facilities = unique
        self.frame = frame
        self.disks = disks
        // Cells about a disk wide, but no finer than 1/2,048 of the extent: a 1 m radius over a city must not make
        // every target read thousands of cells.
        let extent = frame.project(Coordinate(x: bounds.maxX, y: bounds.maxY))
        self.cellSize = max(2 * radiusMetres, 2 * max(abs(extent.x), abs(extent.y)) / 2_048)
        self.cells = BoxCells(disks.map(\.box), cellSize: cellSize)
    }

    /// The disks that may meet a frame box.
    func disks(near box: BoundingBox) -> [ServiceDisk] { cells.indices(near: box).map { disks[$0] } }

    /// The share (0–1) of a projected polygon within the radius of some facility, plus `extra` disks.
    func share(of polygon: ProjectedPolygon, extra: [ServiceDisk] = []) -> Double {
        guard polygon.area > 0 else { return 0 }
        let near = disks(near: polygon.box) + extra
        return DiskUnionArea.coveredArea(of: polygon, disks: near, slope: polygon.slope) / polygon.area
    }

    /// The share (0–1) of a lon/lat polygon within the radius of some facility.
    public func coveredShare(of polygon: Polygon) -> Double { share(of: ProjectedPolygon(polygon, frame: frame)) }

    /// Whether a lon/lat point lies within the radius (ellipsoidal distance) of some facility.
    public func covers(_ point: Coordinate) -> Bool {
        let p = frame.project(point)
        // The frame's distances are within 1 % of the ellipsoid's at city scale: test exactly near the boundary.
        let reach = radiusMetres * 1.02 + 1
        for disk in disks(near: BoundingBox(minX: p.x - reach, minY: p.y - reach, maxX: p.x + reach, maxY: p.y + reach))
        where Planar.distance(disk.centre, p) <= reach {
            if EllipsoidalMeasure.distance(from: point, to: frame.unproject(disk.centre)) <= radiusMetres { return true }
        }
        return false
    }

    /// Coverage of every target feature: polygons by area, points by distance; other geometries are skipped.
    /// - Parameter regionCode: the region a target belongs to (see ``regionCode(of:locator:)``).
    public func cover(
        _ targets: [Feature], weight: Weight, regionCode: (Feature) -> String? = { _ in nil }
    ) throws(GeoError) -> [Target] {
        var rows: [Target] = []
        rows.reserveCapacity(targets.count)
        for (k, feature) in targets.enumerated() {
            if k % 1_024 == 0 { try GeoError.throwIfCancelled() }
            guard let geometry = feature.geometry else { continue }
            let given = Self.weight(of: feature, weight)
            switch geometry {
            case .point(let p):
                guard p.coordinate.isValidGeographic else { continue }
                let w = given ?? 1
                rows.append(Target(index: k, share: covers(p.coordinate) ? 1 : 0, weight: w, area: 0, regionCode: regionCode(feature)))
            case .polygon, .multiPolygon:
                let area = EllipsoidalMeasure.area(of: geometry)
                var coveredFrame = 0.0, totalFrame = 0.0
                for part in geometry.polygons {
                    let projected = ProjectedPolygon(part, frame: frame)
                    totalFrame += projected.area
                    coveredFrame += share(of: projected) * projected.area
                }
                let share = totalFrame > 0 ? min(1, coveredFrame / totalFrame) : 0
                let w = weight == .area ? area : given ?? 1
                rows.append(Target(index: k, share: share, weight: w, area: area, regionCode: regionCode(feature)))
            default:
                continue
            }
        }
        return rows
    }

    /// The weight a feature's property gives, nil for `area` and `count` (decided by geometry).
    static func weight(of feature: Feature, _ weight: Weight) -> Double? {
        switch weight {
        case .area: nil
        case .count: 1
        case .field(let name):
            feature.properties[name].flatMap { $0.doubleValue ?? $0.stringValue.flatMap(Double.init) }.flatMap { $0.isFinite ? $0 : nil } ?? 0
        }
    }

    /// The part of a lon/lat polygon outside every facility's radius (a blind spot, 服务盲区), nil when none is
    /// left. GEOS overlay with the disks that reach the polygon; use it for display, the shares are exact without it.
    public func uncovered(_ polygon: Polygon, engine: GeometryEngine) throws -> Geometry? {
        let projected = ProjectedPolygon(polygon, frame: frame)
        let near = disks(near: projected.box)
        guard !near.isEmpty else { return .polygon(polygon) }
        if share(of: projected) >= 1 - 1e-12 { return nil }
        let union = try engine.unaryUnion(near.map { .polygon(Polygon(exterior: $0.ring.map(frame.unproject))) })
        let rest = try engine.difference(.polygon(polygon), union)
        return rest.polygons.isEmpty ? nil : rest
    }

    /// The region a feature belongs to: its own `code` when it is a 15-digit unit-grid code, else where the
    /// locator places a point inside it (unit grid, else community, street, district).
    public static func regionCode(of feature: Feature, locator: GridLocator?) -> String? {
        if let code = feature.properties["code"]?.stringValue, code.count == 15, code.allSatisfy({ $0.isASCII && $0.isNumber }) { return code }
        guard let locator, let geometry = feature.geometry, let point = Planar.interiorPoint(of: geometry) else { return nil }
        return locator.finestRegion(at: point)?.code
    }
}

/// A lon/lat polygon in a frame: rings (exterior counter-clockwise, holes clockwise), box and area in frame m²
/// scaled to the ellipsoid's area (``AreaSums``).
struct ProjectedPolygon {
    let rings: [[Coordinate]]
    let box: BoundingBox
    /// The boundary integrals of the whole polygon.
    let sums: AreaSums
    let area: Double
    /// The area scale's slope of the frame (``AreaSums/slope(atLatitude:)``).
    let slope: Double

    init(_ polygon: Polygon, frame: LocalFrame) {
        rings = DiskUnionArea.oriented(polygon.rings.filter { $0.count >= 4 }.map { $0.map(frame.project) })
        box = rings.first.flatMap { BoundingBox(coordinates: $0) } ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        slope = AreaSums.slope(atLatitude: frame.origin.latitude)
        var sums = AreaSums(origin: Coordinate(x: box.minX, y: box.minY))
        for ring in rings { for k in 0..<(ring.count - 1) { sums.add(ring[k], ring[k + 1], [(0, 1)]) } }
        self.sums = sums
        area = max(0, sums.area(slope: slope))
    }
}
