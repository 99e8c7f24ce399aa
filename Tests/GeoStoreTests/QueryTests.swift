import Foundation
import GeoCore
import StoreBackends
import Testing

@testable import GeoStore

@Suite("Layer queries")
struct QueryTests {
    /// Boxes over towns.geojson and the fids whose bounding boxes they meet: 1 刘庄镇, 2 大中街道, 3 小海镇, 4 草堰镇.
    static let boxes: [(BoundingBox, [Int64])] = [
        (BoundingBox(minX: 120.25, minY: 33.0, maxX: 120.45, maxY: 33.35), [1, 2, 4]),
        (BoundingBox(minX: 120.35, minY: 33.25, maxX: 120.45, maxY: 33.35), [2]),
        (BoundingBox(minX: 120.9, minY: 33.2, maxX: 121.0, maxY: 34.0), [3]),  // touches a corner
        (BoundingBox(minX: 121.0, minY: 34.0, maxX: 122.0, maxY: 35.0), []),
        (BoundingBox(minX: 120.0, minY: 32.0, maxX: 121.0, maxY: 34.0), [1, 2, 3, 4]),
    ]

    @Test("bbox queries return exactly the fids whose extent meets the box", arguments: StoreBackend.all, 0..<boxes.count)
    func bboxQuery(_ backend: StoreBackend, _ index: Int) async throws {
        let store = try await storeWithBaseLayer(backend)
        let (box, expected) = Self.boxes[index]
        #expect(try await store.features(in: "base", bbox: box).map(\.fid) == expected)
        #expect(try await store.featureCount(in: "base", bbox: box) == expected.count)
    }

    @Test("limit and offset page in fid order", arguments: StoreBackend.all)
    func paging(_ backend: StoreBackend) async throws {
        let store = try await storeWithBaseLayer(backend)
        #expect(try await store.features(in: "base", bbox: nil, limit: 2, offset: 0).map(\.fid) == [1, 2])
        #expect(try await store.features(in: "base", bbox: nil, limit: 2, offset: 2).map(\.fid) == [3, 4])
        #expect(try await store.features(in: "base", bbox: nil, limit: 10, offset: 4).map(\.fid) == [])
        let box = BoundingBox(minX: 120.25, minY: 33.0, maxX: 120.45, maxY: 33.35)
        #expect(try await store.features(in: "base", bbox: box, limit: 1, offset: 1).map(\.fid) == [2])
        let names = try await store.features(in: "base", bbox: box, limit: 1).map { $0.feature.properties["name"] }
        #expect(names == ["刘庄镇"])
    }

    @Test("unknown layers, bad names and bad arguments are errors", arguments: StoreBackend.all)
    func queryErrors(_ backend: StoreBackend) async throws {
        let store = try await storeWithBaseLayer(backend)
        #expect(try await store.layer(named: "nothing") == nil)
        let missing = await #expect(throws: GeoError.self) { _ = try await store.features(in: "nothing") }
        #expect(missing?.code == .layerNotFound)
        let delete = await #expect(throws: GeoError.self) { try await store.deleteLayer(named: "nothing") }
        #expect(delete?.code == .layerNotFound)
        let export = await #expect(throws: GeoError.self) { _ = try await store.exportGeoJSON(layer: "nothing") }
        #expect(export?.code == .layerNotFound)
        let badName = await #expect(throws: GeoError.self) { _ = try await store.featureCount(in: "base; DROP TABLE geo_layers") }
        #expect(badName?.code == .invalidLayerName)
        #expect(badName?.message.contains("base; DROP TABLE geo_layers") == true)
        let negative = await #expect(throws: GeoError.self) {
            _ = try await store.features(in: "base", bbox: nil, limit: -1, offset: 0)
        }
        #expect(negative?.code == .invalidArgument)
        #expect(try await store.featureCount(in: "base") == 4)
    }

    @Test("layer names are validated strictly", arguments: [
        ("towns", true), ("a", true), ("unit_grids_2024", true), (String(repeating: "a", count: 63), true),
        (String(repeating: "a", count: 64), false), ("", false), ("Towns", false), ("1towns", false), ("_towns", false),
        ("towns-2", false), ("towns grid", false), ("乡镇", false), ("t\"x", false),
    ])
    func layerNames(_ name: String, _ valid: Bool) {
        #expect(LayerName.isValid(name) == valid)
        #expect(((try? LayerName(name)) != nil) == valid)
    }
}
