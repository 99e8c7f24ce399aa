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

    @Test func aBackupUnderWriteLoadRestoresEveryTableAsOfOneInstant() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try SpatialStore(path: root.appendingPathComponent("live.sqlite").path)
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(Self.points(0..<2_000)))
        _ = try await store.importLayer(name: "grids", features: FeatureCollection(Self.points(0..<500)))
        // Writers run through the whole backup: features appended in batches, audit lines one by one.
        let stop = StopFlag()
        let writer = Task {
            var next = 2_000
            while !stop.isSet {
                _ = try await store.importLayer(name: "cases", features: FeatureCollection(Self.points(next..<(next + 50))), options: ImportOptions(mode: .append))
                try await store.appendAudit([AuditEntry(time: Double(next), keyId: nil, keyName: "load", method: "POST", path: "/x", status: 200, detail: "", remoteAddress: nil)])
                next += 50
            }
            return next
        }
        try await Task.sleep(for: .milliseconds(50))
        let policy = BackupPolicy(directory: root.appendingPathComponent("backups"))
        let (folder, manifest) = try await CityBackups.create(store: store, kind: .full, policy: policy, keys: Self.keys)
        stop.set()
        let written = try await writer.value
        #expect(written > 2_000)

        // The snapshot is sealed: no plaintext SQLite header in the file.
        let sealed = try Data(contentsOf: folder.appendingPathComponent(CityBackups.snapshotName))
        #expect(!sealed.prefix(64).contains(Data("SQLite format 3".utf8)))
        #expect(manifest.layers.map(\.name) == ["cases", "grids"])
        let cases = try #require(manifest.layers.first { $0.name == "cases" })
        #expect(cases.features >= 2_000 && cases.features <= written && cases.features % 50 == 0)

        let target = root.appendingPathComponent("restored.sqlite")
        let report = try CityBackups.restore(folder, keys: Self.keys, to: target)
        #expect(report.tablesChecked == manifest.tables.count)
        #expect(manifest.tables.contains { $0.table == "audit_log" })
        // One instant: the catalogue's count of every layer equals its table's rows, and the audit chain is whole.
        let restored = try SpatialStore(path: target.path)
        for layer in try await restored.layers() {
            #expect(layer.featureCount == (try await restored.featureCount(in: layer.name)), "\(layer.name)")
            #expect(layer.featureCount == manifest.layers.first { $0.name == layer.name }?.features)
        }
        #expect(try await AuditChain.verify(restored).firstBroken == nil)
        #expect(try await restored.contentDigests() == manifest.tables)
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
        #expect(throws: GeoError.self) { try CityBackups.restore(folder, keys: Self.keys, to: target) }
        try original.write(to: manifestURL)
        // A flipped byte in the sealed snapshot fails its SM3.
        let snapshot = folder.appendingPathComponent(CityBackups.snapshotName)
        var bytes = try Data(contentsOf: snapshot)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: snapshot)
        do {
            _ = try CityBackups.restore(folder, keys: Self.keys, to: target)
            Issue.record("a damaged backup was restored")
        } catch {
            #expect(error.code == .integrityError)
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))
        // Another key ring cannot open it and says which key it needs.
        let other = try DataKeyRing.parse(String(repeating: "77", count: 32), source: "other")
        do {
            _ = try CityBackups.restore(folder, keys: other, to: nil)
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
            #expect(try CityBackups.restore(folder, keys: Self.keys, to: nil).tablesChecked == manifest.tables.count)
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
