import Foundation
import GeoCore
import GeoStore
import StoreBackends
import Testing

/// Region codes in CSV stay text even when their digits would fit an integer (9-digit street codes).
@Suite struct CodeColumnTests {
    @Test(arguments: StoreBackend.all)
    func columnsNamedAsCodesOrIdsAreText(_ backend: StoreBackend) async throws {
        let csv = """
            lon,lat,street_code,road_id,number,code,街道编码
            120.46,33.20,320904001,7,12,320904,320904002
            120.47,33.21,320904002,8,14,320904,320904001
            """
        let store = try await backend.make()
        let layer = try await store.importCSV(name: "plates", bytes: Array(csv.utf8))
        let types = Dictionary(uniqueKeysWithValues: layer.schema.map { ($0.name, $0.type) })
        #expect(types["street_code"] == .text)
        #expect(types["road_id"] == .text)
        #expect(types["code"] == .text)
        #expect(types["街道编码"] == .text)
        #expect(types["number"] == .integer)
        let first = try #require(try await store.features(in: "plates").first)
        #expect(first.feature.properties["street_code"] == "320904001")
        #expect(first.feature.properties["number"] == .int(12))
    }
}
