import GeoCore
import GeoStore
import Testing

@testable import GeoGrids

/// Marking polygon layers as lookup families, locating points in them, and the tree and indexes following marks.
@Suite struct LookupFamilyTests {
    @Test func marksAreStoredAndRead() async throws {
        let store = try await RegionFixture.store()
        let families = try await LookupFamilyRegistry.families(in: store)
        #expect(families.map(\.layer) == ["frontage_zones", "governance_grids", "micro_grids"])
        #expect(families.map(\.inTree) == [false, true, true])
        #expect(families.first { $0.layer == "micro_grids" }?.parentFamily == "governance_grids")
        #expect(try await store.layer(named: LookupFamilyRegistry.layerName)?.featureCount == 3)
    }

    /// Each bad mark and the error it gets: code and the member named.
    @Test(arguments: [
        (LookupFamily(layer: "nowhere", kind: "governance_grid"), GeoError.Code.layerNotFound, "layer"),
        (LookupFamily(layer: "points", kind: "compound"), .invalidArgument, "layer"),
        (LookupFamily(layer: "governance_grids", kind: "Governance Grid"), .invalidArgument, "kind"),
        (LookupFamily(layer: "governance_grids", kind: "governance_grid", parentFamily: "unmarked"), .invalidArgument, "parent_family"),
        (LookupFamily(layer: "governance_grids", kind: "governance_grid", parentFamily: "governance_grids"), .invalidArgument, "parent_family"),
        (LookupFamily(layer: "governance_grids", kind: "governance_grid", codeField: ""), .invalidArgument, "code_field"),
    ])
    func badMarksNameTheMember(family: LookupFamily, code: GeoError.Code, field: String) async throws {
        let store = try await RegionFixture.store()
        _ = try await store.importLayer(name: "points", features: FeatureCollection([Feature(geometry: .point(Point(Coordinate(x: 120.4, y: 33.1))))]))
        let error = await #expect(throws: GeoError.self) { try await LookupFamilyRegistry.mark(family, in: store) }
        #expect(error?.code == code)
        #expect(error?.location == field)
    }

    @Test func unmarkingKeepsChildrenConsistent() async throws {
        let store = try await RegionFixture.store()
        let blocked = await #expect(throws: GeoError.self) { try await LookupFamilyRegistry.unmark("governance_grids", in: store) }
        #expect(blocked?.code == .invalidArgument)
        let unknown = await #expect(throws: GeoError.self) { try await LookupFamilyRegistry.unmark("unit_grids", in: store) }
        #expect(unknown?.code == .notFound)
        #expect(try await LookupFamilyRegistry.unmark("micro_grids", in: store).map(\.layer) == ["frontage_zones", "governance_grids"])
        try await LookupFamilyRegistry.unmark("governance_grids", in: store)
        try await LookupFamilyRegistry.unmark("frontage_zones", in: store)
        #expect(try await store.layer(named: LookupFamilyRegistry.layerName) == nil)
        #expect(try await store.layer(named: "micro_grids") != nil)
    }

    /// Each point and the frontage zones holding it (overlaps give both, in layer order).
    @Test(arguments: [
        (120.415, 33.115, ["F1"]), (120.425, 33.125, ["F1", "F2"]), (120.435, 33.135, ["F2"]), (120.48, 33.18, []),
        (120.43, 33.125, ["F2"]),  // on F1's eastern edge: the half-open rule gives it to the polygon east of it
    ])
    func frontageZonesHoldingAPoint(x: Double, y: Double, codes: [String]) {
        let index = FamilyIndex(family: RegionFixture.families[2], features: RegionFixture.stored(RegionFixture.frontage))
        let found = index.containing(Coordinate(x: x, y: y))
        #expect(found.map { index.codes[$0] } == codes)
        var reused: [Int] = [99]
        index.containing(Coordinate(x: x, y: y), into: &reused)
        #expect(reused == found)
        #expect(found.map { index.hit($0).attributes["unit"] } == codes.map { .string($0 == "F1" ? "一号店" : "二号店") })
    }

    @Test func aMultiPolygonEntryIsListedOnce() {
        let twoParts = Geometry.multiPolygon(MultiPolygon([
            Polygon(exterior: BoundingBox(minX: 0, minY: 0, maxX: 2, maxY: 2).polygon.exterior),
            Polygon(exterior: BoundingBox(minX: 1, minY: 1, maxX: 3, maxY: 3).polygon.exterior),
        ]))
        let index = PolygonIndex([RegionFixture.box(0, 0, 4, 4), twoParts])
        var found: [Int] = []
        index.locateAll(Coordinate(x: 1.5, y: 1.5), into: &found)
        #expect(found == [0, 1])
    }

    @Test func theStoredTreeFollowsMarks() async throws {
        let store = try await RegionFixture.store()
        let versioned = RegionTree.versioned(store: store, divisions: RegionFixture.divisions, checkInterval: .seconds(3_600))
        let tree = try await versioned.value
        #expect(tree.node(code: "M1", family: "micro_grids") != nil)
        #expect(tree.node(code: "F1", family: "frontage_zones") == nil)
        try await LookupFamilyRegistry.unmark("micro_grids", in: store)
        #expect(try await versioned.refreshed().node(code: "M1", family: "micro_grids") == nil)
        // A family layer replaced: the tree is rebuilt from its new polygons.
        _ = try await store.importLayer(
            name: "governance_grids", features: FeatureCollection([RegionFixture.region("G9", "新网格", RegionFixture.box(120.45, 33.10, 120.50, 33.15))]),
            options: ImportOptions(mode: .replace))
        let rebuilt = try await versioned.refreshed()
        #expect(rebuilt.node(code: "G1", family: "governance_grids") == nil)
        let g9 = try #require(rebuilt.node(code: "G9", family: "governance_grids"))
        // Its box is a unit grid's: it hangs under that grid.
        #expect(rebuilt.nodes[try #require(rebuilt.parent(of: g9))].code == "320904001002001")
    }

    @Test func familyIndexesFollowTheirLayers() async throws {
        let store = try await RegionFixture.store()
        let families = PolygonFamilies(store: store, checkInterval: .zero)
        #expect(try await families.indexes(named: "all").map(\.family.layer) == ["frontage_zones", "governance_grids", "micro_grids"])
        let error = await #expect(throws: GeoError.self) { try await families.indexes(named: "unit_grids", field: "families") }
        #expect(error?.code == .invalidArgument && error?.location == "families")
        let point = Coordinate(x: 120.405, y: 33.11)
        let before = try await families.index(of: "governance_grids")
        #expect(before.containing(point).map { before.codes[$0] } == ["G1"])
        _ = try await store.importLayer(
            name: "governance_grids", features: FeatureCollection([RegionFixture.region("G7", "", RegionFixture.box(120.40, 33.10, 120.41, 33.11))]),
            options: ImportOptions(mode: .replace))
        let after = try await families.index(of: "governance_grids")
        #expect(after.containing(point).isEmpty)
        #expect(after.codes == ["G7"])
    }

    /// Governance and micro grids tile (no two overlap), frontage zones overlap: the indexes say so, and a tiling
    /// family's first holder is its only one.
    @Test func familyIndexesKnowWhetherTheirPolygonsOverlap() async throws {
        let store = try await RegionFixture.store()
        let indexes = try await PolygonFamilies(store: store, checkInterval: .zero).indexes(named: "all")
        #expect(indexes.map(\.family.layer) == ["frontage_zones", "governance_grids", "micro_grids"])
        #expect(indexes.map(\.overlapping) == [true, false, false])
        let frontage = indexes[0]
        #expect(frontage.containing(Coordinate(x: 120.425, y: 33.125)).map { frontage.codes[$0] } == ["F1", "F2"])
        let grids = FamilyIndex(family: LookupFamily(layer: "unit_grids", kind: "unit_grid"), features: RegionFixture.stored(RegionFixture.unitGrids))
        #expect(grids.overlapping == false)
        // The vertex four grids share: the north-east one alone.
        #expect(grids.containing(Coordinate(x: 120.425, y: 33.15)).map { grids.codes[$0] } == ["320904001001002"])
        #expect(grids.containing(Coordinate(x: 120.46, y: 33.12)).map { grids.codes[$0] } == ["320904001002001"])
    }

    /// The flag the family listings show: built on demand, nil for a family whose layer is gone.
    @Test func overlapFlagOfAFamilyByName() async throws {
        let store = try await RegionFixture.store()
        let families = PolygonFamilies(store: store, checkInterval: .zero)
        #expect(await families.overlapping(of: "frontage_zones") == true)
        #expect(await families.overlapping(of: "micro_grids") == false)
        try await store.deleteLayer(named: "micro_grids")
        #expect(try await families.families().map(\.layer).contains("micro_grids"))
        #expect(await families.overlapping(of: "micro_grids") == nil)
    }
}
