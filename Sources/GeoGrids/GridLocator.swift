import GeoCore
import GeoStore

/// A region found for a point: its code and name.
@MemberwiseInit
public struct RegionReference: Hashable, Sendable {
    public let code: String
    public let name: String
}

/// Everything case intake needs to know about where a point is.
public struct GridLocation: Hashable, Sendable {
    public var district: RegionReference?
    public var street: RegionReference?
    public var community: RegionReference?
    public var unitGrid: RegionReference?
    public var responsibilityGrids: [RegionReference]

    /// Whether the point fell in no region at all.
    public var isEmpty: Bool { district == nil && street == nil && community == nil && unitGrid == nil }

    public static let nowhere = GridLocation(district: nil, street: nil, community: nil, unitGrid: nil, responsibilityGrids: [])
}

/// Locates points in the region hierarchy from in-memory indexes built once from the store's layers.
///
/// The unit grid is found first; its code then gives the community and street, so the answer is consistent
/// with the grid even where generalised boundaries disagree by centimetres. Where there is no unit grid
/// (villages, rural land) the community, street and district layers answer on their own.
public struct GridLocator: Sendable {
    private struct Level: Sendable {
        let index: PolygonIndex
        let regions: [RegionReference]
        let byCode: [String: RegionReference]

        init(_ features: [Feature]) {
            index = PolygonIndex(features.map(\.geometry))
            regions = features.map {
                RegionReference(code: $0.properties["code"]?.stringValue ?? "", name: $0.properties["name"]?.stringValue ?? "")
            }
            byCode = Dictionary(regions.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        }

        func locate(_ p: Coordinate) -> RegionReference? { index.locate(p).map { regions[$0] } }
    }

    private let districts: Level
    private let streets: Level
    private let communities: Level
    private let unitGrids: Level
    private let responsibility: [String: [RegionReference]]

    /// The layer names `load(from:)` reads.
    public static let layerNames = (
        district: "district", streets: "streets", communities: "communities", unitGrids: "unit_grids",
        responsibilityGrids: "responsibility_grids"
    )

    /// Builds the locator from features carrying `code` and `name` properties.
    public init(
        districts: [Feature], streets: [Feature], communities: [Feature], unitGrids: [Feature],
        responsibilityGrids: [ResponsibilityGrid] = []
    ) {
        self.districts = Level(districts)
        self.streets = Level(streets)
        self.communities = Level(communities)
        self.unitGrids = Level(unitGrids)
        var responsibility: [String: [RegionReference]] = [:]
        for grid in responsibilityGrids.sorted(by: { $0.code < $1.code }) {
            for member in grid.members {
                responsibility[member.rawValue, default: []].append(RegionReference(code: grid.code, name: grid.name))
            }
        }
        self.responsibility = responsibility
    }

    /// Builds the locator from the store's `district`, `streets`, `communities` and `unit_grids` layers and,
    /// when present, `responsibility_grids`. Missing region layers are treated as empty.
    public static func load(from store: some FeatureStore) async throws(GeoError) -> GridLocator {
        func features(_ name: String) async throws(GeoError) -> [Feature] {
            guard try await store.layer(named: name) != nil else { return [] }
            return try await store.features(in: name).map(\.feature)
        }
        var responsibilityGrids: [ResponsibilityGrid] = []
        for (k, feature) in try await features(layerNames.responsibilityGrids).enumerated() {
            responsibilityGrids.append(try ResponsibilityGrid(feature: feature, index: k))
        }
        return GridLocator(
            districts: try await features(layerNames.district), streets: try await features(layerNames.streets),
            communities: try await features(layerNames.communities), unitGrids: try await features(layerNames.unitGrids),
            responsibilityGrids: responsibilityGrids)
    }

    /// The number of unit grids indexed.
    public var unitGridCount: Int { unitGrids.regions.count }

    /// Where a CGCS2000/WGS 84 point lies. Invalid coordinates (non-finite or out of range) lie nowhere.
    public func locate(_ point: Coordinate) -> GridLocation {
        guard point.isValidGeographic else { return .nowhere }
        var location = GridLocation.nowhere
        if let grid = unitGrids.locate(point) {
            location.unitGrid = grid
            location.community = communities.byCode[String(grid.code.prefix(12))] ?? communities.locate(point)
            location.street = streets.byCode[String(grid.code.prefix(9))] ?? streets.locate(point)
            location.district = districts.byCode[String(grid.code.prefix(6))] ?? districts.locate(point)
            location.responsibilityGrids = responsibility[grid.code] ?? []
        } else {
            location.community = communities.locate(point)
            location.street = location.community.flatMap { streets.byCode[String($0.code.prefix(9))] } ?? streets.locate(point)
            location.district = location.street.flatMap { districts.byCode[String($0.code.prefix(6))] } ?? districts.locate(point)
        }
        return location
    }

    /// The finest region holding a point: its unit grid, else its community, street or district (the region a
    /// case is counted in). One polygon lookup where a unit grid holds the point, without the levels above it.
    public func finestRegion(at point: Coordinate) -> RegionReference? {
        guard point.isValidGeographic else { return nil }
        return unitGrids.locate(point) ?? communities.locate(point) ?? streets.locate(point) ?? districts.locate(point)
    }

    /// Only the unit grid of a point: the hot path of batch assignment.
    public func unitGrid(at point: Coordinate) -> RegionReference? {
        point.isValidGeographic ? unitGrids.locate(point) : nil
    }

    /// The index of the unit grid holding a point in the order the grids were given, or nil.
    public func unitGridIndex(at point: Coordinate) -> Int? {
        point.isValidGeographic ? unitGrids.index.locate(point) : nil
    }

    /// The unit grid with a code, if indexed.
    public func unitGrid(code: String) -> RegionReference? { unitGrids.byCode[code] }
}

extension GridLocator {
    /// The layers a locator is built from.
    public static let sourceLayers = [
        layerNames.district, layerNames.streets, layerNames.communities, layerNames.unitGrids, layerNames.responsibilityGrids,
    ]

    /// The locator of `store`'s region layers, rebuilt when one of them changes.
    public static func versioned(store: any FeatureStore, checkInterval: Duration) -> LayerVersionedValue<GridLocator> {
        LayerVersionedValue(store: store, layerNames: sourceLayers, checkInterval: checkInterval) { store in try await load(from: store) }
    }
}
