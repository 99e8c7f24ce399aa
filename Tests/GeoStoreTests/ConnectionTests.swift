import Foundation
import GeoCore
import Testing

@testable import GeoStore

@Suite("SpatialStore connections and migrations")
struct ConnectionTests {
    @Test("mod_spatialite is loaded on every connection of the pool")
    func spatialiteOnEveryConnection() async throws {
        let store = try SpatialStore.temporary()
        // Each probe holds its reader for a moment, so concurrent probes need several connections.
        let probes = try await withThrowingTaskGroup(of: (version: String, connection: UInt).self) { group in
            for _ in 0..<5 { group.addTask { try await store.probeReaderConnection(hold: 0.3) } }
            var results: [(version: String, connection: UInt)] = []
            for try await probe in group { results.append(probe) }
            return results
        }
        #expect(probes.count == 5)
        #expect(Set(probes.map(\.connection)).count >= 2)
        for probe in probes { #expect(probe.version.hasPrefix("5.")) }
        // The writer connection has it too: SpatiaLite functions work inside an import.
        #expect(try await store.spatialiteVersion().hasPrefix("5."))
        let wal = try await store.rows("PRAGMA journal_mode")
        #expect(wal == [["wal"]])
    }

    @Test("a missing extension is reported with the Debian package to install")
    func missingSpatialite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: GeoError.self) {
            _ = try SpatialStore(
                path: directory.appendingPathComponent("x.sqlite").path, spatialiteModule: "mod_spatialite_not_there",
                temporaryDirectory: nil)
        }
        #expect(error?.code == .spatialiteMissing)
        #expect(error?.message.contains("libsqlite3-mod-spatialite") == true)
        #expect(error?.underlying?.isEmpty == false)
    }

    @Test("migrations are applied once and reopening a file keeps its layers")
    func migrationsIdempotent() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-reopen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("city.sqlite").path

        var before: [[String?]] = []
        var referenceSystems: [[String?]] = []
        do {
            let store = try SpatialStore(path: path)
            _ = try await store.importGeoJSON(name: "towns", file: Fixture.url("towns.geojson"))
            before = try await store.rows("SELECT identifier FROM grdb_migrations ORDER BY rowid")
            referenceSystems = try await store.rows("SELECT count(*) FROM spatial_ref_sys")
        }
        #expect(before == [["v1_spatial_metadata"], ["v2_layer_catalog"], ["v3_fences"], ["v4_track_points"], ["v5_access"], ["v6_vehicle_states_outbox"], ["v7_compliance"]])
        #expect(StoreMigrations.names == ["v1_spatial_metadata", "v2_layer_catalog", "v3_fences", "v4_track_points", "v5_access", "v6_vehicle_states_outbox", "v7_compliance"])

        for _ in 0..<2 {
            let reopened = try SpatialStore(path: path)
            #expect(try await reopened.rows("SELECT identifier FROM grdb_migrations ORDER BY rowid") == before)
            #expect(try await reopened.rows("SELECT count(*) FROM spatial_ref_sys") == referenceSystems)
            #expect(try await reopened.layers().map(\.name) == ["towns"])
            #expect(try await reopened.featureCount(in: "towns") == 4)
        }
        #expect(Int(referenceSystems.first?.first??.description ?? "0") ?? 0 > 1000)
    }

    @Test("an in-memory store works like a file store")
    func inMemory() async throws {
        let store = try SpatialStore.inMemory()
        #expect(store.path == nil)
        let info = try await store.importGeoJSON(name: "towns", file: Fixture.url("towns.geojson"))
        #expect(info.featureCount == 4)
        #expect(try await store.features(in: "towns", bbox: BoundingBox(minX: 120.9, minY: 33.2, maxX: 121, maxY: 34)).map(\.fid) == [3])
    }
}
