import Foundation
import GeoCore
import GeoGrids
import DemoCity
import GeoStore
import Testing

/// The server's first start: the committed demo city becomes one layer per file with every feature.
@Suite struct DemoCityLoadTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyDemoFileBecomesALayerWithAllItsFeatures() async throws {
        let store = try SpatialStore.temporary()
        let layers = try await DemoCityLoader.loadDemoCity(into: store, from: Self.root)
        #expect(layers.map(\.name) == DemoCityLoader.demoCitySources.map(\.layer))
        let gridFile = try GeoJSON.decodeFeatureCollection(Array(Data(contentsOf: Self.root.appendingPathComponent("GridData/unit_grids.geojson"))))
        let grids = try #require(layers.first { $0.name == "unit_grids" })
        #expect(grids.featureCount == gridFile.features.count)
        #expect(grids.geometryType == .polygon)
        let plateLines = try String(contentsOf: Self.root.appendingPathComponent("AddressBooks/door_plates.csv"), encoding: .utf8)
            .split(separator: "\n").count - 1
        #expect(layers.first { $0.name == "door_plates" }?.featureCount == plateLines)
        // Codes stay text (leading digits intact) and sit in the catalogue schema as text.
        let plates = try #require(layers.first { $0.name == "door_plates" })
        #expect(plates.schema.first { $0.name == "grid_code" }?.type == .text)
        // Components (部件): every row, codes as text.
        let componentLines = try String(contentsOf: Self.root.appendingPathComponent("AddressBooks/components.csv"), encoding: .utf8)
            .split(separator: "\n").count - 1
        let components = try #require(layers.first { $0.name == "components" })
        #expect(components.featureCount == componentLines)
        #expect(components.geometryType == .point)
        #expect(components.schema.first { $0.name == "code" }?.type == .text)
        #expect(components.schema.first { $0.name == "class_code" }?.type == .text)
        #expect(components.schema.first { $0.name == "grid_code" }?.type == .text)
        // A bbox query around the city centre answers from the index.
        let centre = BoundingBox(minX: 120.46, minY: 33.195, maxX: 120.47, maxY: 33.205)
        let nearCentre = try await store.features(in: "unit_grids", bbox: centre)
        #expect(nearCentre.count > 20 && nearCentre.count < 200)

        // Every door plate is located, from the loaded layers, in the unit grid its record names.
        let locator = try await GridLocator.load(from: store)
        #expect(locator.unitGridCount == gridFile.features.count)
        let plateRecords = try await store.features(in: "door_plates")
        #expect(plateRecords.count == plateLines)
        for record in plateRecords {
            guard case .point(let point)? = record.feature.geometry else {
                Issue.record("plate \(record.fid) has no point")
                continue
            }
            let location = locator.locate(point.coordinate)
            #expect(location.unitGrid?.code == record.feature.properties["grid_code"]?.stringValue)
            #expect(location.street?.code == record.feature.properties["street_code"]?.stringValue)
            #expect(location.district?.code == "320904")
        }
    }

    @Test func aMissingDemoFileIsNamed() async throws {
        let store = try SpatialStore.temporary()
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-empty-\(UUID())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        await #expect {
            try await DemoCityLoader.loadDemoCity(into: store, from: empty)
        } throws: { error in
            guard let error = error as? GeoError else { return false }
            return error.code == .notFound && error.message.contains("GridData/district.geojson")
        }
        #expect(try await store.layers().isEmpty)
    }

    /// A first start killed during its import leaves some demo layers (each is its own transaction): the next
    /// start imports the rest. A store holding any layer the loader did not make is a city of its own.
    @Test(arguments: [
        ([], DemoCityLoader.demoCitySources.count),
        ([("district", "区县 District"), ("streets", "街道/镇 Streets and towns")], DemoCityLoader.demoCitySources.count - 2),
        (DemoCityLoader.demoCitySources.map { ($0.layer, $0.title) }, 0),
        ([("district", "区县 District"), ("cases", nil)], 0),
        ([("unit_grids", nil)], 0),
        ([("unit_grids", "网格")], 0),
    ] as [([(String, String?)], Int)])
    func anInterruptedFirstStartIsCompleted(present: [(String, String?)], missing: Int) {
        let layers = present.map { name, title in
            LayerInfo(
                name: name, title: title, geometryType: .polygon, srid: 4490, schema: [], featureCount: 1, bbox: nil,
                createdAt: Date(), updatedAt: Date(), version: 1)
        }
        let toImport = DemoCityLoader.layersToImport(present: layers)
        #expect(toImport.count == missing)
        #expect(Set(toImport.map(\.layer)).isDisjoint(with: present.map(\.0)))
    }
}
