import GeoCore
import GeoStore

/// A name a place no longer carries, with the last day it was in use (GB/T 30428.3 keeps historical names so that
/// old documents and habits still geocode).
@MemberwiseInit
public struct FormerName: Hashable, Sendable {
    public var name: String
    /// `YYYY-MM-DD`, the last day the name was in use.
    public var until: String

    /// Parses the book's `name@YYYY-MM-DD/name@…` form (a name without a date is kept with an empty date).
    static func parseList(_ text: String) -> [FormerName] {
        text.split(separator: "/").compactMap { part in
            let pieces = part.split(separator: "@", maxSplits: 1)
            guard let name = pieces.first, !name.isEmpty else { return nil }
            return FormerName(name: String(name), until: pieces.count > 1 ? String(pieces[1]) : "")
        }
    }
}

/// 区域: an administrative area, community, village or unit grid.
public struct AddressRegion: Hashable, Sendable {
    public var code: String
    public var name: String
    public var parentCode: String?
    public var aliases: [String]
    public var formerNames: [FormerName]
    /// A point inside the region (its label point), when the book has its polygon.
    public var labelPoint: Coordinate?
}

/// 街巷: a named road with its centre line. Numbers increase along the line; odd numbers lie on the left.
public struct AddressRoad: Hashable, Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var formerNames: [FormerName]
    public var line: [Coordinate]
    /// The 9-digit codes of the streets/towns it crosses.
    public var streetCodes: [String]
}

/// 地片/区片: a named compound (小区), zone or 院落.
public struct AddressPlace: Hashable, Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var formerNames: [FormerName]
    public var labelPoint: Coordinate
    /// The plate of its main gate (`工农北路171号`), when known.
    public var gateAddress: String?
    public var communityCode: String?
    public var streetCode: String?
}

/// 门牌: a door plate on a road.
public struct DoorPlate: Hashable, Sendable {
    public var id: String
    /// Index of the road in ``AddressBook/roads``.
    public var road: Int
    public var number: Int
    /// "" for a plain number, otherwise `甲`, `乙`, `-1` …
    public var suffix: String
    public var coordinate: Coordinate
    public var gridCode: String?
    public var communityCode: String?
    public var streetCode: String?
}

/// 楼牌: a building plate inside a compound.
public struct BuildingPlate: Hashable, Sendable {
    public var id: String
    /// Index of the compound in ``AddressBook/places``.
    public var place: Int
    public var number: Int
    public var coordinate: Coordinate
    public var gridCode: String?
}

/// 兴趣点: a point of interest.
public struct PointOfInterest: Hashable, Sendable {
    public var id: String
    public var name: String
    public var category: String
    public var aliases: [String]
    public var coordinate: Coordinate
    /// Its door plate, as road name and number, when it has one.
    public var roadName: String?
    public var number: Int?
    public var gridCode: String?
    public var communityCode: String?
    public var streetCode: String?
}

/// 部件: a component of city furniture (GB/T 30428.2), located by its identifier: a 10-digit class code (6-digit
/// district + 2-digit 大类 + 2-digit 小类) followed by a 6-digit serial.
public struct CityComponent: Hashable, Sendable {
    /// The 16-digit component identifier.
    public var code: String
    /// The 10-digit class code (the identifier's first ten digits).
    public var classCode: String
    /// 大类 name (公用设施, 道路交通, 市容环境, 园林绿化, 房屋土地, 其他设施).
    public var category: String
    /// 小类 name (雨水井盖, 路灯 …).
    public var name: String
    public var coordinate: Coordinate
    /// The unit grid holding it (所在单元网格).
    public var gridCode: String?
    /// The nearest road's name.
    public var road: String?
    /// 完好, 破损, 丢失 …
    public var status: String?
}

extension CityComponent {
    /// Whether `code` is a component identifier: 16 ASCII digits.
    public static func isIdentifier(_ code: String) -> Bool {
        code.utf8.count == 16 && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// The gazetteer of one city: the five basic location types of GB/T 30428.3. Coordinates are CGCS2000
/// longitude/latitude (equal to WGS 84 at map precision).
@MemberwiseInit
public struct AddressBook: Sendable {
    public var regions: [AddressRegion] = []
    public var roads: [AddressRoad] = []
    public var places: [AddressPlace] = []
    public var plates: [DoorPlate] = []
    public var buildings: [BuildingPlate] = []
    public var pois: [PointOfInterest] = []
    /// Components (部件), found by their 16-digit identifier.
    public var components: [CityComponent] = []

    /// The store layers an address book is read from, by location type. Any imported table with these
    /// columns works; the demo city's AddressBooks/ and GridData/ files load under these names.
    public struct LayerNames: Sendable {
        public var regions = ["district", "streets", "communities", "unit_grids"]
        public var roads = "roads"
        public var places = "compounds"
        public var plates = "door_plates"
        public var buildings = "buildings"
        public var pois = "pois"
        /// Optional: the component layer (code, class_code, category, name, point, grid_code, road, status).
        public var components = "components"
        public init() {}
    }

    /// Reads the book from store layers. Missing layers are empty; a row without its required column is an
    /// `invalid_address_book` error naming the layer, the row and the column.
    public static func load(from store: some FeatureStore, layers: LayerNames = LayerNames()) async throws(GeoError) -> AddressBook {
        func features(_ name: String) async throws(GeoError) -> [Feature] {
            guard try await store.layer(named: name) != nil else { return [] }
            return try await store.features(in: name).map(\.feature)
        }
        var regionFeatures: [Feature] = []
        for name in layers.regions { regionFeatures += try await features(name) }
        return try AddressBook(
            regionFeatures: regionFeatures, roadFeatures: try await features(layers.roads),
            placeFeatures: try await features(layers.places), plateFeatures: try await features(layers.plates),
            buildingFeatures: try await features(layers.buildings), poiFeatures: try await features(layers.pois),
            componentFeatures: try await features(layers.components))
    }

    /// Builds the book from features (GeoJSON features or CSV rows with lon/lat geometry).
    public init(
        regionFeatures: [Feature], roadFeatures: [Feature], placeFeatures: [Feature], plateFeatures: [Feature],
        buildingFeatures: [Feature], poiFeatures: [Feature], componentFeatures: [Feature] = []
    ) throws(GeoError) {
        var book = AddressBook()
        for (row, f) in regionFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "regions", row: row)
            let code = try r.required("code")
            book.regions.append(
                AddressRegion(
                    code: code, name: r.text("name") ?? code,
                    parentCode: r.text("parent_code") ?? r.text("community_code"),
                    aliases: r.list("aliases"), formerNames: FormerName.parseList(r.text("former_names") ?? ""),
                    labelPoint: f.geometry.flatMap(Self.labelPoint)))
        }
        var roadIndex: [String: Int] = [:]
        for (row, f) in roadFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "roads", row: row)
            var line: [Coordinate] = []
            f.geometry?.forEachCoordinate { line.append($0) }
            guard line.count >= 2 else { throw r.error("has no centre line (a LineString of at least 2 points)", field: "geometry") }
            let id = r.text("id") ?? "R\(row)"
            roadIndex[id] = book.roads.count
            book.roads.append(
                AddressRoad(
                    id: id, name: try r.required("name"), aliases: r.list("aliases"),
                    formerNames: FormerName.parseList(r.text("former_names") ?? ""), line: line,
                    streetCodes: r.list("street_codes")))
        }
        var roadByName: [String: Int] = [:]
        for (k, road) in book.roads.enumerated() where roadByName[road.name] == nil { roadByName[road.name] = k }
        for (row, f) in plateFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "door_plates", row: row)
            let road: Int
            if let id = r.text("road_id"), let k = roadIndex[id] {
                road = k
            } else if let name = r.text("road"), let k = roadByName[name] {
                road = k
            } else {
                throw r.error("names a road that is not in the roads layer", field: "road_id")
            }
            book.plates.append(
                DoorPlate(
                    id: r.text("id") ?? "DP\(row)", road: road, number: try r.requiredInt("number"), suffix: r.text("suffix") ?? "",
                    coordinate: try r.point(), gridCode: r.text("grid_code"), communityCode: r.text("community_code"),
                    streetCode: r.text("street_code")))
        }
        var placeIndex: [String: Int] = [:]
        for (row, f) in placeFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "compounds", row: row)
            guard let geometry = f.geometry, let label = Self.labelPoint(geometry) else {
                throw r.error("has no geometry", field: "geometry")
            }
            let id = r.text("id") ?? "C\(row)"
            placeIndex[id] = book.places.count
            book.places.append(
                AddressPlace(
                    id: id, name: try r.required("name"), aliases: r.list("aliases"),
                    formerNames: FormerName.parseList(r.text("former_names") ?? ""), labelPoint: label,
                    gateAddress: r.text("address"), communityCode: r.text("community_code"), streetCode: r.text("street_code")))
        }
        for (row, f) in buildingFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "buildings", row: row)
            guard let id = r.text("compound_id"), let place = placeIndex[id] else {
                throw r.error("names a compound that is not in the compounds layer", field: "compound_id")
            }
            book.buildings.append(
                BuildingPlate(
                    id: r.text("id") ?? "B\(row)", place: place, number: try r.requiredInt("number"), coordinate: try r.point(),
                    gridCode: r.text("grid_code")))
        }
        for (row, f) in poiFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "pois", row: row)
            book.pois.append(
                PointOfInterest(
                    id: r.text("id") ?? "P\(row)", name: try r.required("name"), category: r.text("category") ?? "",
                    aliases: r.list("aliases"), coordinate: try r.point(), roadName: r.text("road"),
                    number: r.int("number"), gridCode: r.text("grid_code"), communityCode: r.text("community_code"),
                    streetCode: r.text("street_code")))
        }
        for (row, f) in componentFeatures.enumerated() {
            let r = FeatureRow(feature: f, layer: "components", row: row)
            let code = try r.required("code")
            guard CityComponent.isIdentifier(code) else { throw r.error("has code \(code), not a 16-digit component identifier", field: "code") }
            book.components.append(
                CityComponent(
                    code: code, classCode: r.text("class_code") ?? String(code.prefix(10)), category: r.text("category") ?? "",
                    name: r.text("name") ?? "部件", coordinate: try r.point(), gridCode: r.text("grid_code") ?? r.text("unit_grid"),
                    road: r.text("road"), status: r.text("status")))
        }
        self = book
    }

    /// A label point of a region or compound: the vertex-average of a rectangle-like polygon's outer ring
    /// lies inside it; for other shapes the centre of the largest polygon's bounding box if inside, else its
    /// first vertex inward. The demo city's regions are lattice outlines, so this is a cheap, stable choice.
    static func labelPoint(_ geometry: Geometry) -> Coordinate? {
        let polygons = geometry.polygons
        guard let largest = polygons.max(by: { Planar.area(of: $0) < Planar.area(of: $1) }) else {
            var first: Coordinate?
            geometry.forEachCoordinate { if first == nil { first = $0 } }
            return first
        }
        let ring = largest.exterior
        let n = max(ring.count - 1, 1)
        let mean = Coordinate(
            x: ring.prefix(n).reduce(0) { $0 + $1.x } / Double(n), y: ring.prefix(n).reduce(0) { $0 + $1.y } / Double(n))
        if Planar.polygon(largest, contains: mean) { return mean }
        if let box = geometry.boundingBox {
            let centre = Coordinate(x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2)
            if Planar.polygon(largest, contains: centre) { return centre }
        }
        // Scan a coarse lattice of the bounding box for any interior point.
        if let box = geometry.boundingBox {
            for i in 1..<16 {
                for j in 1..<16 {
                    let p = Coordinate(x: box.minX + (box.maxX - box.minX) * Double(i) / 16, y: box.minY + (box.maxY - box.minY) * Double(j) / 16)
                    if Planar.polygon(largest, contains: p) { return p }
                }
            }
        }
        return ring.first
    }
}

/// Typed access to one feature's properties with errors that name the layer, row and column.
struct FeatureRow {
    let feature: Feature
    let layer: String
    let row: Int

    func text(_ key: String) -> String? {
        switch feature.properties[key] {
        case .string(let s): return s.isEmpty ? nil : s
        case .int(let v): return String(v)
        case .double(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        default: return nil
        }
    }

    func int(_ key: String) -> Int? {
        switch feature.properties[key] {
        case .int(let v): return Int(v)
        case .double(let v) where v == v.rounded(): return Int(v)
        case .string(let s): return Int(s)
        default: return nil
        }
    }

    func list(_ key: String) -> [String] { (text(key) ?? "").split(separator: "/").map(String.init) }

    func required(_ key: String) throws(GeoError) -> String {
        guard let value = text(key) else { throw error("has no \(key)", field: key) }
        return value
    }

    func requiredInt(_ key: String) throws(GeoError) -> Int {
        guard let value = int(key) else { throw error("has no integer \(key)", field: key) }
        return value
    }

    func point() throws(GeoError) -> Coordinate {
        if case .point(let p)? = feature.geometry { return p.coordinate }
        guard let x = feature.properties["lon"]?.doubleValue, let y = feature.properties["lat"]?.doubleValue else {
            throw error("has no point geometry or lon/lat", field: "geometry")
        }
        return Coordinate(x: x, y: y)
    }

    func error(_ what: String, field: String) -> GeoError {
        GeoError(code: .invalidAddressBook, message: "\(layer) row \(row + 1) \(what)", location: field)
    }
}
