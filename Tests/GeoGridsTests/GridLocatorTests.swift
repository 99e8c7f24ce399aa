import GeoCore
import GeoGrids
import Testing

/// A district of two streets: street 001 has one community of 2 x 2 unit grids (each 0.01° square), street 002
/// is a village area without grids.
@Suite struct GridLocatorTests {
    static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1).polygon)
    }

    static func region(_ code: String, _ name: String, _ geometry: Geometry) -> Feature {
        Feature(geometry: geometry, properties: ["code": .string(code), "name": .string(name)])
    }

    static let locator = GridLocator(
        districts: [region("320904", "大丰区", box(120.0, 33.0, 120.1, 33.1))],
        streets: [region("320904001", "丰华街道", box(120.0, 33.0, 120.02, 33.02)), region("320904101", "草堰镇", box(120.02, 33.0, 120.1, 33.1))],
        communities: [region("320904001001", "健康社区", box(120.0, 33.0, 120.02, 33.02)), region("320904101201", "东灶村", box(120.02, 33.0, 120.1, 33.1))],
        unitGrids: [
            region("320904001001001", "", box(120.0, 33.01, 120.01, 33.02)), region("320904001001002", "", box(120.01, 33.01, 120.02, 33.02)),
            region("320904001001003", "", box(120.0, 33.0, 120.01, 33.01)), region("320904001001004", "", box(120.01, 33.0, 120.02, 33.01)),
        ],
        responsibilityGrids: [
            ResponsibilityGrid(code: "ZR01", name: "北片", kind: .responsibility, members: [try! RegionCode("320904001001001"), try! RegionCode("320904001001002")]),
            ResponsibilityGrid(code: "ZW01", name: "西片", kind: .work, members: [try! RegionCode("320904001001001"), try! RegionCode("320904001001003")]),
        ])

    @Test func aPointInAGridGetsTheWholeChain() {
        let location = Self.locator.locate(Coordinate(x: 120.005, y: 33.015))
        #expect(location.unitGrid?.code == "320904001001001")
        #expect(location.community == RegionReference(code: "320904001001", name: "健康社区"))
        #expect(location.street == RegionReference(code: "320904001", name: "丰华街道"))
        #expect(location.district == RegionReference(code: "320904", name: "大丰区"))
        #expect(location.responsibilityGrids.map(\.code) == ["ZR01", "ZW01"])
    }

    @Test(arguments: [
        (120.01, 33.015, "320904001001002"),  // shared north-south edge: the eastern grid
        (120.005, 33.01, "320904001001001"),  // shared east-west edge: the northern grid
        (120.01, 33.01, "320904001001002"),  // the corner of all four: north-east
    ])
    func sharedEdgesResolveDeterministically(x: Double, y: Double, code: String) {
        #expect(Self.locator.locate(Coordinate(x: x, y: y)).unitGrid?.code == code)
    }

    @Test func aPointOutsideEveryGridStillGetsItsVillageStreetAndDistrict() {
        let location = Self.locator.locate(Coordinate(x: 120.05, y: 33.05))
        #expect(location.unitGrid == nil)
        #expect(location.community?.code == "320904101201")
        #expect(location.street?.code == "320904101")
        #expect(location.district?.code == "320904")
        #expect(location.responsibilityGrids.isEmpty)
    }

    @Test(arguments: [
        (116.39, 39.91), (-120.0, 33.0), (120.2, 33.0),  // far away, the other hemisphere, just east of the district
        (200.0, 33.0), (120.0, 95.0), (Double.nan, 33.0), (120.0, Double.infinity),  // invalid
    ])
    func farAwayAndInvalidPointsLieNowhere(x: Double, y: Double) {
        let location = Self.locator.locate(Coordinate(x: x, y: y))
        #expect(location.isEmpty)
        #expect(Self.locator.unitGrid(at: Coordinate(x: x, y: y)) == nil)
    }

    @Test(arguments: [
        (120.005, 33.015, "320904001001001" as String?), (120.01, 33.01, "320904001001002"),  // a grid, its shared corner
        (120.05, 33.05, "320904101201"),  // no grid: the village
        (116.39, 39.91, nil), (Double.nan, 33.0, nil),  // nowhere
    ])
    func theFinestRegionIsTheGridElseTheFinestLevelAboveIt(x: Double, y: Double, code: String?) {
        let point = Coordinate(x: x, y: y)
        #expect(Self.locator.finestRegion(at: point)?.code == code)
        let location = Self.locator.locate(point)
        #expect((location.unitGrid ?? location.community ?? location.street ?? location.district)?.code == code)
    }
}
