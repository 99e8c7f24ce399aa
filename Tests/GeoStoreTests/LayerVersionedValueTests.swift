import GeoCore
import Synchronization
import StoreBackends
import Testing

@testable import GeoStore

/// The one "rebuild when a layer changes" helper: built once for concurrent first callers, never rebuilt while
/// the layers stand still, rebuilt once after a change, the last good value kept when a build fails.
@Suite struct LayerVersionedValueTests {
    /// A count shared with a build closure.
    final class Counter: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// A flag shared with a build closure.
    final class Flag: Sendable {
        private let state = Mutex(false)
        func set(_ value: Bool) { state.withLock { $0 = value } }
        var value: Bool { state.withLock { $0 } }
    }

    static func points(_ count: Int) -> [Feature] {
        (0..<count).map { k in Feature(geometry: .point(Point(Coordinate(x: 120 + Double(k) * 0.001, y: 33))), properties: ["k": .int(Int64(k))]) }
    }

    /// A value counting its builds: the layer's feature count at build time.
    static func counted(_ store: any CityStore, builds: Counter, interval: Duration) -> LayerVersionedValue<Int> {
        LayerVersionedValue(store: store, layerNames: ["pois"], checkInterval: interval) { store in
            builds.add()
            return try await store.featureCount(in: "pois")
        }
    }

    @Test(arguments: StoreBackend.all)
    func concurrentFirstCallersShareOneBuildAndChangesRebuildOnce(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(Self.points(3)))
        // Checked at most once an hour: after its first build it never reads the catalogue again in this test.
        let hourly = Counter()
        let slow = Self.counted(store, builds: hourly, interval: .seconds(3_600))
        // Checked on every call.
        let eager = Counter()
        let always = Self.counted(store, builds: eager, interval: .zero)
        #expect(slow.valueIfChecked == nil)
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await slow.value } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: 3, count: 50))
        #expect(hourly.value == 1)
        #expect(slow.valueIfChecked == 3)

        // Unchanged layers: checks read the versions but build nothing.
        #expect(try await always.value == 3)
        #expect(try await always.value == 3)
        #expect(eager.value == 1)

        // A change: seen at the next check, by one rebuild; the hourly value keeps its answer until its interval ends.
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(Self.points(5)), options: ImportOptions(mode: .replace))
        #expect(try await always.value == 5)
        #expect(try await always.value == 5)
        #expect(eager.value == 2)
        #expect(try await slow.value == 3)
        #expect(hourly.value == 1)
    }

    @Test(arguments: StoreBackend.all)
    func aFailedBuildKeepsTheLastGoodValueAndTheNextCallerRetries(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(Self.points(2)))
        let failing = Flag()
        let value = LayerVersionedValue<Int>(store: store, layerNames: ["pois"], checkInterval: .zero) { store in
            if failing.value { throw GeoError(code: .databaseError, message: "disk gone") }
            return try await store.featureCount(in: "pois")
        }
        #expect(try await value.value == 2)
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(Self.points(4)), options: ImportOptions(mode: .replace))
        failing.set(true)
        let error = await #expect(throws: GeoError.self) { try await value.value }
        #expect(error?.code == .databaseError)
        failing.set(false)
        #expect(try await value.value == 4)
    }

    @Test(arguments: StoreBackend.all)
    func keyedValuesForgetLayersThatAreNotThere(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await store.importLayer(name: "pois", features: FeatureCollection(Self.points(2)))
        let values = LayerVersionedValues<Int>(store: store, checkInterval: .seconds(60)) { store, layer in
            guard try await store.layer(named: layer) != nil else {
                throw GeoError(code: .layerNotFound, message: "no layer \(layer)")
            }
            return try await store.featureCount(in: layer)
        }
        #expect(try await values.value(of: "pois") == 2)
        let error = await #expect(throws: GeoError.self) { try await values.value(of: "cases") }
        #expect(error?.code == .layerNotFound)
        // Created since: found at once, since no entry of the missing layer was kept.
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(Self.points(7)))
        #expect(try await values.value(of: "cases") == 7)
    }
}
