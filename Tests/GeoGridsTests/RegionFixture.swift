import GeoCore
import GeoStore

@testable import GeoGrids

/// A small city for the region tree and statistics: 大丰区 (320904) with street 丰华街道 (001: communities 001001 of
/// 2 x 2 unit grids and 001002 of two unit grids) and 大中街道 (002: one village, 002201, without unit grids), under
/// the national divisions 江苏省 › 盐城市 › 大丰区 (with the town 草堰镇, which has no layer). Two lookup families:
/// governance grids (一般网格) and micro grids (微网格) inside them; and frontage zones, which stay out of the tree.
enum RegionFixture {
    static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1).polygon)
    }

    static func region(_ code: String, _ name: String, _ geometry: Geometry, _ extra: [String: JSONValue] = [:]) -> Feature {
        var properties: [String: JSONValue] = ["code": .string(code), "name": .string(name)]
        properties.merge(extra) { _, new in new }
        return Feature(id: .string(code), geometry: geometry, properties: properties)
    }

    static let divisions: [RegionTree.Division] = [
        RegionTree.Division(code: "320000", parentCode: nil, name: "江苏省", tier: .province, aliases: ["江苏"]),
        RegionTree.Division(code: "320900", parentCode: "320000", name: "盐城市", tier: .prefecture, aliases: ["盐城"]),
        RegionTree.Division(
            code: "320904", parentCode: "320900", name: "大丰区", tier: .county, aliases: ["大丰"], point: Coordinate(x: 120.4, y: 33.2)),
        RegionTree.Division(code: "320904001", parentCode: "320904", name: "丰华街道", tier: .street),
        RegionTree.Division(code: "320904101", parentCode: "320904", name: "草堰镇", tier: .street),
    ]

    static let district = [region("320904", "大丰区", box(120.40, 33.10, 120.50, 33.30), ["parent_code": "320900"])]
    static let streets = [
        region("320904001", "丰华街道", box(120.40, 33.10, 120.50, 33.20), ["aliases": "{丰华/老城区}", "sort_order": 2]),
        region("320904002", "大中街道", box(120.40, 33.20, 120.50, 33.30), ["sort_order": 1, "valid": "否"]),
    ]
    static let communities = [
        region("320904001001", "健康社区", box(120.40, 33.10, 120.45, 33.20)),
        region("320904001002", "卫星社区", box(120.45, 33.10, 120.50, 33.20), ["former_names": "卫星村@2010-12-31"]),
        region("320904002201", "东灶村", box(120.40, 33.20, 120.50, 33.30)),
    ]
    static let unitGrids = [
        region("320904001001001", "", box(120.40, 33.15, 120.425, 33.20)), region("320904001001002", "", box(120.425, 33.15, 120.45, 33.20)),
        region("320904001001003", "", box(120.40, 33.10, 120.425, 33.15)), region("320904001001004", "", box(120.425, 33.10, 120.45, 33.15)),
        region("320904001002001", "", box(120.45, 33.10, 120.50, 33.15)), region("320904001002002", "", box(120.45, 33.15, 120.50, 33.20)),
    ]
    /// G1 covers the two western grids of 健康社区; G2 straddles the two communities.
    static let governance = [
        region("G1", "西一网格", box(120.40, 33.10, 120.425, 33.20)), region("G2", "跨界网格", box(120.44, 33.12, 120.46, 33.14)),
    ]
    /// M1 lies inside G1; M2 inside no governance grid, within unit grid 320904001002002.
    static let micro = [region("M1", "西一微网格", box(120.40, 33.10, 120.41, 33.12)), region("M2", "北微网格", box(120.46, 33.16, 120.47, 33.17))]
    /// Overlapping frontage zones (门前三包).
    static let frontage = [
        region("F1", "一号店", box(120.41, 33.11, 120.43, 33.13), ["unit": "一号店"]),
        region("F2", "二号店", box(120.42, 33.12, 120.44, 33.14), ["unit": "二号店"]),
    ]

    static let families = [
        LookupFamily(layer: "governance_grids", kind: "governance_grid"),
        LookupFamily(layer: "micro_grids", kind: "micro_grid", parentFamily: "governance_grids"),
        LookupFamily(layer: "frontage_zones", kind: "frontage_zone"),
    ]

    static func stored(_ features: [Feature]) -> [StoredFeature] {
        features.enumerated().map { StoredFeature(fid: Int64($0.offset + 1), feature: $0.element) }
    }

    /// The tree built in memory.
    static func tree() -> RegionTree {
        var builder = RegionTreeBuilder()
        builder.add(divisions: divisions)
        for (features, tier, layer) in [(district, RegionTier.county, "district"), (streets, .street, "streets"), (communities, .community, "communities"), (unitGrids, .unitGrid, "unit_grids")] {
            builder.add(regions: features, tier: tier, layer: layer)
        }
        return builder.build(families: [(families[0], stored(governance)), (families[1], stored(micro))])
    }

    /// The same city in a store, with its families marked.
    static func store() async throws -> SpatialStore {
        let store = try SpatialStore.temporary()
        for (name, features) in [
            ("district", district), ("streets", streets), ("communities", communities), ("unit_grids", unitGrids),
            ("governance_grids", governance), ("micro_grids", micro), ("frontage_zones", frontage),
        ] {
            _ = try await store.importLayer(name: name, features: FeatureCollection(features))
        }
        for family in families { try await LookupFamilyRegistry.mark(family, in: store) }
        return store
    }
}
