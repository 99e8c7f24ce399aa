import Foundation
import GeoCore
import GeoCrypto
import GRDB
import Synchronization
import Testing

@testable import GeoStore

/// Online backups under write load, restores that check everything, and the retention policy.
@Suite struct BackupTests {
    static let keys = try! DataKeyRing.parse(String(repeating: "3c", count: 32), source: "test")

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-backup-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func points(_ range: Range<Int>) -> [Feature] {
        range.map { k in
            Feature(id: .int(Int64(k)), geometry: .point(Point(Coordinate(x: 120.4 + Double(k % 1000) * 1e-4, y: 33.2 + Double(k / 1000) * 1e-4))), properties: ["n": .int(Int64(k))])
        }
    }

    static func fixes(_ range: Range<Int>) -> [TrackPoint] {
        range.map { k in
            TrackPoint(vehicle: "V\(k % 7)", time: 1_795_392_000 + Double(k), longitude: 120.4 + Double(k % 500) * 1e-4, latitude: 33.2, speed: Double(k % 60))
        }
    }

    /// The digest of the first `rows` rows of a live table: what an append-only table held when it had that many.
    static func prefixDigest(_ store: SpatialStore, table: String, rows: Int) async throws -> ContentDigest {
        try await store.read { db in try ContentDigests.digest(db, table: table, firstRows: rows) }
    }

    @Test func aBackupUnderWriteLoadRestoresEveryLayerAsOfOneInstant() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try SpatialStore(path: root.appendingPathComponent("live.sqlite").path)
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(Self.points(0..<2_000)))
        _ = try await store.importLayer(name: "grids", features: FeatureCollection(Self.points(0..<500)))
        _ = try await store.insertTrackPoints(Self.fixes(0..<1_000))
        let before = Dictionary(uniqueKeysWithValues: try await store.contentDigests().map { ($0.table, $0) })
        let policy = BackupPolicy(directory: root.appendingPathComponent("backups"))
        let (backup, written, _) = try await AppendingWriters.around(store) {
            try await CityBackups.create(store: store, kind: .full, policy: policy, keys: Self.keys)
        }
        let (casesWritten, fixesWritten, auditWritten) = written
        let (folder, manifest) = backup

        // The snapshot is sealed: no plaintext SQLite header in the file.
        let sealed = try Data(contentsOf: folder.appendingPathComponent(CityBackups.snapshotName))
        #expect(!sealed.prefix(64).contains(Data("SQLite format 3".utf8)))
        #expect(manifest.layers.map(\.name) == ["cases", "grids"])

        // Restore with every check (signature, SM3 of the sealed and opened file, integrity, each table) into a new file.
        let target = root.appendingPathComponent("restored.sqlite")
        let report = try await CityBackups.restore(folder, keys: Self.keys, to: target)
        #expect(report.restoredTo == target.path)
        #expect(report.tablesChecked == manifest.tables.count)
        let restored = try SpatialStore(path: target.path)
        let restoredTables = Dictionary(uniqueKeysWithValues: try await restored.contentDigests().map { ($0.table, $0) })
        #expect(restoredTables == Dictionary(uniqueKeysWithValues: manifest.tables.map { ($0.table, $0) }))

        // Every layer: its count in the catalogue, in its table and in the manifest agree, and its checksum is the
        // live table's as it was when it held that many rows (the writers only append, so that instant exists).
        let restoredLayers = try await restored.layers()
        #expect(restoredLayers.map(\.name) == ["cases", "grids"])
        for layer in restoredLayers {
            let table = try LayerName(layer.name).tableName
            let digest = try #require(restoredTables[table], "\(layer.name)")
            #expect(layer.featureCount == digest.rows, "\(layer.name)")
            #expect(layer.featureCount == (try await restored.featureCount(in: layer.name)), "\(layer.name)")
            #expect(layer.featureCount == manifest.layers.first { $0.name == layer.name }?.features, "\(layer.name)")
            #expect(digest == (try await Self.prefixDigest(store, table: table, rows: digest.rows)), "\(layer.name)")
        }
        // The written layer holds whole batches from after the writers started up to at most what they wrote; the
        // untouched one is exactly as it was.
        let cases = try #require(restoredTables["layer_cases"])
        #expect(cases.rows >= 2_000 && cases.rows <= casesWritten && cases.rows % 50 == 0)
        #expect(restoredTables["layer_grids"] == before["layer_grids"])
        #expect(try await store.contentDigests().first { $0.table == "layer_grids" } == before["layer_grids"])
        // Positions and the audit log likewise: whole batches, each a prefix of the live table, the chain unbroken.
        let tracks = try #require(restoredTables["track_points"])
        #expect(tracks.rows >= 1_000 && tracks.rows <= fixesWritten && tracks.rows % 100 == 0)
        #expect(tracks == (try await Self.prefixDigest(store, table: "track_points", rows: tracks.rows)))
        let auditLines = try #require(restoredTables["audit_log"])
        #expect(auditLines.rows <= auditWritten)
        #expect(auditLines == (try await Self.prefixDigest(store, table: "audit_log", rows: auditLines.rows)))
        #expect(try await AuditChain.verify(restored).firstBroken == nil)
        #expect(try await restored.trackPoints(vehicle: "V0", from: nil, to: nil).count == (tracks.rows + 6) / 7)
        #expect(CityBackups.existing(in: policy.directory).count == 1)
    }

    @Test func aDamagedBackupRestoresNothing() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try SpatialStore(path: root.appendingPathComponent("live.sqlite").path)
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(Self.points(0..<100)))
        let (folder, _) = try await CityBackups.create(
            store: store, kind: .full, policy: BackupPolicy(directory: root.appendingPathComponent("b")), keys: Self.keys)
        // A changed manifest fails its signature.
        let manifestURL = folder.appendingPathComponent("manifest.json")
        let original = try Data(contentsOf: manifestURL)
        try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"features\" : 100", with: "\"features\" : 99").utf8).write(to: manifestURL)
        let target = root.appendingPathComponent("restored.sqlite")
        await #expect(throws: GeoError.self) { try await CityBackups.restore(folder, keys: Self.keys, to: target) }
        try original.write(to: manifestURL)
        // A flipped byte in the sealed snapshot fails its SM3.
        let snapshot = folder.appendingPathComponent(CityBackups.snapshotName)
        var bytes = try Data(contentsOf: snapshot)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: snapshot)
        do {
            _ = try await CityBackups.restore(folder, keys: Self.keys, to: target)
            Issue.record("a damaged backup was restored")
        } catch {
            #expect(error.code == .integrityError)
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))
        // Another key ring cannot open it and says which key it needs.
        let other = try DataKeyRing.parse(String(repeating: "77", count: 32), source: "other")
        do {
            _ = try await CityBackups.restore(folder, keys: other, to: nil)
            Issue.record("opened with another key")
        } catch {
            #expect(error.code == .encryptionKeyMissing)
        }
    }

    @Test func coreBackupsKeepTheCoreLayersAndTheRetentionPolicyPrunes() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try SpatialStore(path: root.appendingPathComponent("live.sqlite").path)
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(Self.points(0..<10)))
        _ = try await store.importLayer(name: "imagery_index", features: FeatureCollection(Self.points(0..<10)))
        var policy = BackupPolicy(directory: root.appendingPathComponent("b"), coreLayers: ["cases"], keepCore: 2, keepFull: 1)
        let start = Date(timeIntervalSince1970: 1_795_392_000)
        #expect(CityBackups.due(policy, now: start) == .full)
        _ = try await CityBackups.create(store: store, kind: .full, policy: policy, keys: Self.keys, now: start)
        #expect(CityBackups.due(policy, now: start.addingTimeInterval(86_400)) == nil)
        #expect(CityBackups.due(policy, now: start.addingTimeInterval(31 * 86_400)) == .core)
        #expect(CityBackups.due(policy, now: start.addingTimeInterval(183 * 86_400)) == .full)
        for month in 1...3 {
            let (folder, manifest) = try await CityBackups.create(
                store: store, kind: .core, policy: policy, keys: Self.keys, now: start.addingTimeInterval(Double(month) * 30 * 86_400))
            #expect(manifest.layers.map(\.name) == ["cases"])
            #expect(try await CityBackups.restore(folder, keys: Self.keys, to: nil).tablesChecked == manifest.tables.count)
        }
        let kept = CityBackups.existing(in: policy.directory)
        #expect(kept.filter { $0.kind == .core }.count == 2)
        #expect(kept.filter { $0.kind == .full }.count == 1)
        policy.keepFull = 1
        _ = try await CityBackups.create(store: store, kind: .full, policy: policy, keys: Self.keys, now: start.addingTimeInterval(200 * 86_400))
        let fulls = CityBackups.existing(in: policy.directory).filter { $0.kind == .full }
        #expect(fulls.count == 1)
        #expect(fulls.first?.time == start.addingTimeInterval(200 * 86_400).timeIntervalSince1970)
    }
}

/// A flag one task sets and another reads.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A count several tasks add to.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// Three writers that only append, from where the tests' fixtures end (case 2,000, fix 1,000): features of `cases`
/// in batches of 50 (a layer import in append mode), vehicle positions in batches of 100, audit lines one at a time.
enum AppendingWriters {
    /// Runs `body` once the writers are under way (not after a fixed time) and stops them when it ends, whatever
    /// happened; what it returned, how far each writer got (the next case, fix and audit line it would have written)
    /// and how many batches they committed while `body` ran.
    static func around<T: Sendable>(
        _ store: any CityStore, _ body: () async throws -> T
    ) async throws -> (result: T, written: (cases: Int, fixes: Int, audit: Int), roundsDuring: Int) {
        let stop = StopFlag()
        let rounds = Counter()
        // Each writer writes items next..<next + step while not stopped, counting its batches; its next item.
        func writer(from start: Int, by step: Int, _ write: @escaping @Sendable (Range<Int>) async throws -> Void) -> Task<Int, any Error> {
            Task {
                var next = start
                while !stop.isSet {
                    try await write(next..<(next + step))
                    next += step
                    rounds.increment()
                }
                return next
            }
        }
        let features = writer(from: 2_000, by: 50) { range in
            _ = try await store.importLayer(name: "cases", features: FeatureCollection(BackupTests.points(range)), options: ImportOptions(mode: .append))
        }
        let positions = writer(from: 1_000, by: 100) { range in
            let result = try await store.insertTrackPoints(BackupTests.fixes(range))
            #expect(result.inserted == range.count)
        }
        let audit = writer(from: 0, by: 1) { range in
            try await store.appendAudit([
                AuditEntry(time: Double(range.lowerBound), keyId: nil, keyName: "load", method: "POST", path: "/x", status: 200, detail: "", remoteAddress: nil)
            ])
        }
        let result: T
        let roundsBefore: Int
        do {
            while rounds.count < 6 { try await Task.sleep(for: .milliseconds(5)) }
            roundsBefore = rounds.count
            result = try await body()
        } catch {
            stop.set()
            _ = (try? await features.value, try? await positions.value, try? await audit.value)
            throw error
        }
        let roundsDuring = rounds.count - roundsBefore
        stop.set()
        return (result, (try await features.value, try await positions.value, try await audit.value), roundsDuring)
    }
}
