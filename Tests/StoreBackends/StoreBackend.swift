import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import GeoStorePostGIS

/// One backend the store seam's tests run against: a way to make a fresh, empty store.
///
/// Suites parameterised over ``all`` run on SpatiaLite always and on PostGIS when `CITYGEO_TEST_POSTGRES_URL`
/// names a server (its maintenance database, e.g. `postgres://postgres@127.0.0.1:5432/postgres`: tools/test.sh
/// starts a throwaway one); each PostGIS store gets a database of its own, dropped by ``release(_:)``.
public struct StoreBackend: Sendable, CustomStringConvertible {
    public let name: String
    private let makeStore: @Sendable (DataKeyRing?) async throws -> any CityStore

    public init(name: String, makeStore: @escaping @Sendable (DataKeyRing?) async throws -> any CityStore) {
        self.name = name
        self.makeStore = makeStore
    }

    public var description: String { name }

    /// A fresh, empty store, sealing sensitive columns with `dataKeys` when given.
    public func make(dataKeys: DataKeyRing? = nil) async throws -> any CityStore { try await makeStore(dataKeys) }

    /// Closes a store made here (a PostGIS one drops its database); SpatiaLite's temporary files go with the store.
    public static func release(_ store: any CityStore) async {
        if let store = store as? PostGISStore { await store.close() }
    }

    /// A second store on the same database, as another process (a replica) would open it, with `dataKeys`.
    public static func replica(of store: any CityStore, dataKeys: DataKeyRing? = nil) async throws -> any CityStore {
        switch store {
        case let store as PostGISStore: return try await PostGISStore.open(store.location, dataKeys: dataKeys)
        case let store as SpatialStore:
            guard let path = store.path else { throw GeoError(code: .invalidArgument, message: "an in-memory store has no replica") }
            return try SpatialStore(path: path, dataKeys: dataKeys)
        default: throw GeoError(code: .invalidArgument, message: "no replica for \(type(of: store))")
        }
    }

    public static let spatialite = StoreBackend(name: "spatialite") { keys in try SpatialStore.temporary(dataKeys: keys) }

    public static func postgis(server: String) -> StoreBackend {
        StoreBackend(name: "postgis") { keys in try await PostGISStore.temporary(server: server, dataKeys: keys) }
    }

    /// The PostgreSQL server of the PostGIS runs, if any.
    public static let postgresURL: String? = ProcessInfo.processInfo.environment["CITYGEO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// SpatiaLite, and PostGIS when ``postgresURL`` is set.
    public static let all: [StoreBackend] = [spatialite] + (postgresURL.map { [postgis(server: $0)] } ?? [])
}
