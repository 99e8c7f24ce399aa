import Foundation
import GeoCore
import GeoGrids

/// What a point is, in the words of the address book: its admin chain and unit grid, the nearest road and door
/// plate with distances, and a standard address (江苏省盐城市大丰区丰华街道卫星社区人民北路14号东南12米).
public struct ReverseGeocodeResult: Hashable, Sendable {
    public struct Road: Hashable, Sendable {
        public var id: String
        public var name: String
        public var distanceMetres: Double
    }

    public struct Plate: Hashable, Sendable {
        public var id: String
        public var label: String
        public var coordinate: Coordinate
        public var distanceMetres: Double
    }

    /// Province, city, district, street, community and unit grid, each with code and name, where known.
    public var regions: [String: RegionReference]
    public var road: Road?
    public var plate: Plate?
    /// The formatted standard address.
    public var address: String
}

/// Reverse geocoding over an ``AddressBook`` and a ``GridLocator`` (for the admin chain and the unit grid).
public struct ReverseGeocoder: Sendable {
    public let geocoder: Geocoder
    public let locator: GridLocator
    private let plateIndex: PointLayerIndex
    private let roadCells: [Int64: [Int32]]
    static let roadCellDegrees = 0.005
    /// A point farther than this from every plate and road is described by its regions alone.
    static let nearRoadMetres = 100.0

    public init(geocoder: Geocoder, locator: GridLocator) {
        self.geocoder = geocoder
        self.locator = locator
        plateIndex = PointLayerIndex(
            geocoder.book.plates.map { Feature(geometry: .point(Point($0.coordinate))) }, cellMetres: 100)
        var cells: [Int64: [Int32]] = [:]
        for (k, road) in geocoder.book.roads.enumerated() {
            for (a, b) in zip(road.line, road.line.dropFirst()) {
                let box = BoundingBox(coordinates: [a, b])!
                for cx in Self.cell(box.minX)...Self.cell(box.maxX) {
                    for cy in Self.cell(box.minY)...Self.cell(box.maxY) {
                        let key = Self.key(cx, cy)
                        if cells[key]?.last != Int32(k) { cells[key, default: []].append(Int32(k)) }
                    }
                }
            }
        }
        roadCells = cells
    }

    static func cell(_ v: Double) -> Int { Int((v / roadCellDegrees).rounded(.down)) }
    static func key(_ x: Int, _ y: Int) -> Int64 { Int64(x) << 32 | Int64(UInt32(bitPattern: Int32(y))) }

    /// Describes `point` (CGCS2000/WGS 84 lon/lat). The nearest plate is looked for within `plateRadius`
    /// metres, the nearest road within `roadRadius`.
    public func reverse(_ point: Coordinate, plateRadius: Double = 200, roadRadius: Double = 1000) -> ReverseGeocodeResult {
        let location = locator.locate(point)
        var regions: [String: RegionReference] = [:]
        if let d = location.district { regions["district"] = d }
        if let s = location.street { regions["street"] = s }
        if let c = location.community { regions["community"] = c }
        if let g = location.unitGrid { regions["unit_grid"] = g }
        if let district = location.district?.code {
            for d in geocoder.divisions.chain(of: district) where d.level < 3 {
                regions[Geocoder.levelKey(d.level)] = RegionReference(code: d.code, name: d.name)
            }
        } else {
            // Outside the book's regions: province, prefecture and county from the national outlines.
            for d in geocoder.divisions.chain(containing: point) {
                regions[Geocoder.levelKey(d.level)] = RegionReference(code: d.code, name: d.name)
            }
        }

        let road = nearestRoad(to: point, within: roadRadius)
        var plate: ReverseGeocodeResult.Plate?
        if let hit = plateIndex.nearest(to: point, k: 1, maxDistanceMetres: plateRadius).first {
            let p = geocoder.book.plates[hit.index]
            plate = ReverseGeocodeResult.Plate(
                id: p.id, label: Geocoder.plateLabel(geocoder.book.roads[p.road].name, p.number, p.suffix), coordinate: p.coordinate,
                distanceMetres: hit.distanceMetres)
        }
        let prefix = geocoder.regionPrefix(
            location.community?.code ?? location.street?.code ?? location.district?.code ?? regions["district"]?.code ?? regions["city"]?.code
                ?? regions["province"]?.code)
        var address = prefix
        if let plate {
            address += plate.label
            if plate.distanceMetres >= 5 {
                let bearing = Geodesic.initialBearing(from: plate.coordinate, to: point)
                address += Self.compassWord(bearing) + "\(Int(plate.distanceMetres.rounded()))米"
            }
        } else if let road, road.distanceMetres <= Self.nearRoadMetres {
            address += road.name + (road.distanceMetres >= 5 ? "附近" : "")
        }
        return ReverseGeocodeResult(regions: regions, road: road, plate: plate, address: address)
    }

    /// 东, 东南, 南 … for a bearing in degrees.
    static func compassWord(_ bearing: Double) -> String {
        let words = ["北", "东北", "东", "东南", "南", "西南", "西", "西北"]
        let normalized = (bearing.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
        return words[Int((normalized + 22.5) / 45) % 8]
    }

    private func nearestRoad(to point: Coordinate, within radius: Double) -> ReverseGeocodeResult.Road? {
        let reach = Int((radius / 111_000 / Self.roadCellDegrees).rounded(.up)) + 1
        let cx = Self.cell(point.x), cy = Self.cell(point.y)
        var best: (Int, Double)?
        var seen = Set<Int32>()
        for x in (cx - reach)...(cx + reach) {
            for y in (cy - reach)...(cy + reach) {
                for k in roadCells[Self.key(x, y)] ?? [] where seen.insert(k).inserted {
                    let d = geocoder.frames[Int(k)].project(point).distance
                    if d <= radius && d < (best?.1 ?? .infinity) { best = (Int(k), d) }
                }
            }
        }
        return best.map {
            let road = geocoder.book.roads[$0.0]
            return ReverseGeocodeResult.Road(id: road.id, name: road.name, distanceMetres: ($0.1 * 10).rounded() / 10)
        }
    }
}
