import GeoCore
import GeoStore
import Testing

@testable import GeoGrids

/// The region tree of RegionFixture: national divisions joined with the city's layers, family polygons hung in it.
@Suite struct RegionTreeTests {
    static let tree = RegionFixture.tree()

    static func node(_ code: String, family: String? = nil) throws -> Int {
        try #require(tree.node(code: code, family: family), "no node \(code)")
    }

    static func codes(_ nodes: [Int]) -> [String] { nodes.map { tree.nodes[$0].code } }

    /// Each node and the chain above it, root first.
    @Test(arguments: [
        ("320904001001001", nil, ["320000", "320900", "320904", "320904001", "320904001001"]),
        ("320904002201", nil, ["320000", "320900", "320904", "320904002"]),
        ("320904101", nil, ["320000", "320900", "320904"]),
        ("G1", "governance_grids", ["320000", "320900", "320904", "320904001", "320904001001"]),
        ("G2", "governance_grids", ["320000", "320900", "320904", "320904001"]),
        ("M1", "micro_grids", ["320000", "320900", "320904", "320904001", "320904001001", "G1"]),
        ("M2", "micro_grids", ["320000", "320900", "320904", "320904001", "320904001002", "320904001002002"]),
    ] as [(String, String?, [String])])
    func ancestors(code: String, family: String?, chain: [String]) throws {
        let k = try Self.node(code, family: family)
        #expect(Self.codes(Self.tree.ancestors(of: k)) == chain)
        #expect(Self.tree.depths[k] == chain.count + 1)
    }

    @Test func aCodeGivenTwiceIsOneNode() throws {
        let county = Self.tree.nodes[try Self.node("320904")]
        #expect(county.source == "divisions+district")
        #expect(county.name == "大丰区")
        #expect(county.aliases == ["大丰"])
        #expect(county.bbox == BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.50, maxY: 33.30))
        #expect(county.point == Planar.interiorPoint(of: RegionFixture.box(120.40, 33.10, 120.50, 33.30)))
        let street = Self.tree.nodes[try Self.node("320904001")]
        #expect(street.source == "divisions+streets")
        #expect(street.aliases == ["丰华", "老城区"])
        // A list's region without a layer: no box, no point; the prefecture's box is its county's.
        let town = Self.tree.nodes[try Self.node("320904101")]
        #expect(town.source == "divisions" && town.bbox == nil && town.point == nil)
        #expect(Self.tree.nodes[try Self.node("320900")].bbox == county.bbox)
        #expect(Self.tree.nodes[try Self.node("320904001002")].aliases == ["卫星村"])
    }

    @Test func childrenFollowTheirSortOrderThenFamilies() throws {
        let county = try Self.node("320904")
        // 大中街道 sort_order 1; 草堰镇 ranked 1st of the siblings without one; 丰华街道 sort_order 2.
        #expect(Self.codes(Self.tree.children(of: county)) == ["320904002", "320904101", "320904001"])
        #expect(Self.tree.children(of: county).map { Self.tree.nodes[$0].sortOrder } == [1, 1, 2])
        #expect(Self.tree.nodes[try Self.node("320904002")].valid == false)
        let community = try Self.node("320904001001")
        #expect(Self.codes(Self.tree.children(of: community)) == ["320904001001001", "320904001001002", "320904001001003", "320904001001004", "G1"])
        #expect(Self.tree.children(of: community).map { Self.tree.nodes[$0].level } == ["unit_grid", "unit_grid", "unit_grid", "unit_grid", "governance_grid"])
    }

    @Test func descendantsToADepthWithOrWithoutFamilies() throws {
        let community = try Self.node("320904001001")
        let (all, cut) = Self.tree.descendants(of: community, depth: 2, limit: 100)
        #expect(Self.codes(all) == ["320904001001001", "320904001001002", "320904001001003", "320904001001004", "G1", "M1"])
        #expect(!cut)
        #expect(Self.codes(Self.tree.descendants(of: community, depth: 2, limit: 100, includesFamily: { _ in false }).nodes).count == 4)
        let (first, truncated) = Self.tree.descendants(of: try Self.node("320000"), depth: 10, limit: 3)
        #expect(Self.codes(first) == ["320900", "320904", "320904002"])
        #expect(truncated)
        #expect(Self.codes(Self.tree.nodes(at: .unitGrid, under: try Self.node("320904001"))).count == 6)
        #expect(Self.tree.ancestor(of: try Self.node("320904001002001"), at: .street) == (try Self.node("320904001")))
        #expect(Self.tree.ancestor(of: try Self.node("320904001"), at: .community) == nil)
    }

    @Test(arguments: [
        ("丰华", nil, ["320904001"]),  // an alias, exactly
        ("卫星", nil, ["320904001002"]),  // a name's beginning, then a former name's
        ("大丰", nil, ["320904"]),
        ("网格", "governance_grid", ["G2", "G1"]),
        ("社区", "community", ["320904001001", "320904001002"]),
        ("不存在", nil, []),
    ] as [(String, String?, [String])])
    func searchByNameOrAlias(query: String, level: String?, found: [String]) {
        #expect(Self.codes(Self.tree.search(query, level: level, limit: 10).map(\.node)) == found)
    }

    @Test func searchWithinASubtree() throws {
        let street = try Self.node("320904001")
        #expect(Self.codes(Self.tree.search("村", within: street, limit: 10).map(\.node)) == ["320904001002"])
        #expect(Self.tree.search("村", limit: 10).count == 2)
    }

    @Test func nodeJSONCarriesTheRecordFields() throws {
        let json = Self.tree.json(try Self.node("M1", family: "micro_grids"))
        let inside = try #require(Planar.interiorPoint(of: RegionFixture.box(120.40, 33.10, 120.41, 33.12)))
        #expect(abs(inside.x - 120.405) < 1e-12 && abs(inside.y - 33.11) < 1e-12)
        #expect(json == .object([
            "code": "M1", "name": "西一微网格", "level": "micro_grid", "depth": .int(7), "sort_order": .int(1), "valid": true,
            "parent_code": "G1", "parent_family": "governance_grids", "family": "micro_grids",
            "bbox": .array([120.40, 33.10, 120.41, 33.12]), "point": .array([.double(inside.x), .double(inside.y)]), "aliases": .array([]),
            "source": "micro_grids", "child_count": .int(0),
        ]))
    }

    @Test func divisionsFromLayerFeaturesNeedACodeOfTheirTier() {
        var builder = RegionTreeBuilder()
        let left = builder.add(
            regions: [RegionFixture.region("3209040011", "十位", RegionFixture.box(0, 0, 1, 1)), RegionFixture.region("320904001", "丰华", RegionFixture.box(0, 0, 1, 1))],
            tier: .street, layer: "streets")
        #expect(left == 1)
        #expect(builder.build().count == 1)
    }
}
