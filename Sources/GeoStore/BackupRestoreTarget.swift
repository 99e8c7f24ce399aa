import Foundation
import GeoCore

/// A new database a backup is restored into, by ``CityBackups/restore(_:keys:into:)``: a SpatiaLite file
/// (``SpatiaLiteRestoreTarget``) or a PostgreSQL database (GeoStorePostGIS). The restore calls ``prepare()`` before
/// it opens anything, ``load(_:manifest:)`` with the opened snapshot, compares what that returns with the manifest,
/// then ``keep(_:manifest:)`` when everything matched or ``discard()`` when anything failed.
public protocol BackupRestoreTarget: Sendable {
    /// The snapshot format it loads (``StoreBackup/snapshotFormat``: `sqlite`, `pg_dump`).
    var snapshotFormat: String { get }
    /// What ``load(_:manifest:)`` checks besides the digests, for the report (`SQLite's integrity check`).
    var check: String { get }
    /// Where the restore's scratch folder goes (the opened snapshot; for a file, beside it so it can be moved).
    var scratchFolder: URL { get }
    /// Refuses a target that is not new, and anything else that would make the restore fail, before the backup is
    /// opened.
    func prepare() async throws(GeoError)
    /// Loads the opened snapshot `file` and measures what the loaded database holds, as the backup measured the
    /// snapshot (``SnapshotContents``); nil when the target only reads the snapshot without a database to measure.
    func load(_ file: URL, manifest: BackupManifest) async throws(GeoError) -> SnapshotContents?
    /// Keeps the loaded database (every check passed); where it is, nil when nothing is kept.
    func keep(_ file: URL, manifest: BackupManifest) async throws(GeoError) -> String?
    /// Throws away what ``prepare()`` and ``load(_:manifest:)`` made.
    func discard() async
}

/// A restore into a new SpatiaLite file, or a check alone on a temporary copy when `file` is nil.
@MemberwiseInit
public struct SpatiaLiteRestoreTarget: BackupRestoreTarget {
    /// The new database file; nil checks only.
    public let file: URL?

    public var snapshotFormat: String { "sqlite" }
    public var check: String { "SQLite's integrity check" }
    public var scratchFolder: URL { file?.deletingLastPathComponent() ?? FileManager.default.temporaryDirectory }

    public func prepare() async throws(GeoError) {
        if let file, FileManager.default.fileExists(atPath: file.path) {
            throw GeoError(code: .ioError, message: "\(file.path) exists; a restore makes a new database")
        }
    }

    public func load(_ file: URL, manifest: BackupManifest) async throws(GeoError) -> SnapshotContents? {
        try SnapshotFile.checkIntegrity(file)
        return try SnapshotFile.contents(file)
    }

    public func keep(_ snapshot: URL, manifest: BackupManifest) async throws(GeoError) -> String? {
        guard let file else { return nil }
        do {
            try FileManager.default.moveItem(at: snapshot, to: file)
        } catch {
            throw GeoError(code: .ioError, message: "cannot move the restored database to \(file.path)", underlying: "\(error)")
        }
        return file.path
    }

    public func discard() async {}
}
