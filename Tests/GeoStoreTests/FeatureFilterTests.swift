import GeoCore
import GeoStore
import StoreBackends
import Testing

/// Filtered pages: property values, time ranges and a caller's test, with offsets counting passing features only, on
/// every backend; and the keyset reads the scans go through.
@Suite struct FeatureFilterTests {
    /// Ten points along a line, `n` = 0…9, even ones `kind` "even", times one day apart from 2026-11-01.
    static func makeStore(_ backend: StoreBackend) async throws -> any CityStore {
        let store = try await backend.make()
        let features = (0..<10).map { n in
            Feature(
                geometry: .point(Point(Coordinate(longitude: 120.40 + Double(n) * 0.01, latitude: 33.20))),
                properties: [
                    "n": .int(Int64(n)), "kind": .string(n % 2 == 0 ? "even" : "odd"),
                    "time": .string("2026-11-\(String(format: "%02d", n + 1))T12:00:00+08:00"),
                ])
        }
        _ = try await store.importLayer(name: "points", features: FeatureCollection(features))
        return store
    }

    static func numbers(_ page: FeaturePage) -> [Int64] { page.features.compactMap { $0.feature.properties["n"]?.intValue } }

    @Test(arguments: StoreBackend.all)
    func boundingBoxAloneIsCountedByTheStore(_ backend: StoreBackend) async throws {
        let store = try await Self.makeStore(backend)
        let filter = FeatureFilter(bbox: BoundingBox(minX: 120.415, minY: 33.1, maxX: 120.465, maxY: 33.3))
        let page = try await store.features(in: "points", matching: filter, limit: 3, offset: 1)
        #expect(Self.numbers(page) == [3, 4, 5])
        #expect(page.hasMore)
        #expect(page.numberMatched == 5)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func propertyFiltersPageOverPassingFeaturesOnly(_ backend: StoreBackend) async throws {
        let store = try await Self.makeStore(backend)
        let filter = FeatureFilter(properties: ["kind": "even"])
        let first = try await store.features(in: "points", matching: filter, limit: 2, offset: 1, scanChunk: 3)
        #expect(Self.numbers(first) == [2, 4])
        #expect(first.hasMore)
        #expect(first.numberMatched == nil)
        let last = try await store.features(in: "points", matching: filter, limit: 2, offset: 3, scanChunk: 3)
        #expect(Self.numbers(last) == [6, 8])
        #expect(!last.hasMore)
        #expect(last.numberMatched == 5)
        // Numbers compare as numbers.
        #expect(Self.numbers(try await store.features(in: "points", matching: FeatureFilter(properties: ["n": "7.0"]), limit: 5, offset: 0)) == [7])
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func timeRangesAndCallerTestsCombine(_ backend: StoreBackend) async throws {
        let store = try await Self.makeStore(backend)
        let from = try TimeText.seconds("2026-11-03")
        let to = try TimeText.seconds("2026-11-08T12:00:00+08:00")
        var filter = FeatureFilter(time: FeatureFilter.TimeRange(field: "time", from: from, to: to))
        #expect(Self.numbers(try await store.features(in: "points", matching: filter, limit: 10, offset: 0)) == [2, 3, 4, 5, 6, 7])
        filter.accepts = { ($0.properties["n"]?.intValue ?? 0) % 3 == 0 }
        #expect(Self.numbers(try await store.features(in: "points", matching: filter, limit: 10, offset: 0)) == [3, 6])
        filter.time = FeatureFilter.TimeRange(field: "missing", from: from, to: nil)
        #expect(Self.numbers(try await store.features(in: "points", matching: filter, limit: 10, offset: 0)).isEmpty)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func keysetReadsContinueAfterTheLastFid(_ backend: StoreBackend) async throws {
        let store = try await Self.makeStore(backend)
        let first = try await store.features(in: "points", bbox: nil, afterFid: .min, limit: 4)
        #expect(first.map(\.fid) == [1, 2, 3, 4])
        let next = try await store.features(in: "points", bbox: nil, afterFid: 4, limit: 4)
        #expect(next.map(\.fid) == [5, 6, 7, 8])
        // With a box: n = 3 and 4 (fids 4 and 5) lie in it; after fid 4 only 5 remains.
        let box = BoundingBox(minX: 120.425, minY: 33.1, maxX: 120.445, maxY: 33.3)
        #expect(try await store.features(in: "points", bbox: box, afterFid: 4, limit: 10).map(\.fid) == [5])
        #expect(try await store.features(in: "points", bbox: nil, afterFid: 10, limit: 10).isEmpty)
        await StoreBackend.release(store)
    }
}
