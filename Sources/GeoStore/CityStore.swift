import Foundation
import GeoCore
import GeoCrypto

/// API keys and the audit log: the seam the server's access control and `citygeo keys` talk to.
public protocol AccessStore: Sendable {
    /// Stores a new key; `key_exists` when its id or digest is taken.
    func insertAPIKey(_ key: StoredAPIKey) async throws(GeoError)
    /// Every key, revoked ones included, by creation time.
    func apiKeys() async throws(GeoError) -> [StoredAPIKey]
    /// Marks a key revoked at `time`; false when there is no such key or it was revoked already.
    func revokeAPIKey(id: String, at time: Double) async throws(GeoError) -> Bool
    /// Replaces a key's digest (or its previous digest, during a rotation's overlap) `old` with `new`, if it is
    /// still `old`: how SHA-256 digests become SM3 ones on a key's first use. False when it changed meanwhile.
    func replaceAPIKeyDigest(id: String, from old: String, to new: String) async throws(GeoError) -> Bool
    /// Rotation: the active key `id` gets the secret of `digest`; its current digest moves to `previousDigest`,
    /// accepted until `overlapUntil`; `expiresAt`, when given, replaces the expiry. False when no such active key.
    func rotateAPIKey(id: String, digest: String, overlapUntil: Double, expiresAt: Double?) async throws(GeoError) -> Bool
    /// Appends audit lines in one transaction, chaining each to the one before (``AuditChain``): lines are numbered
    /// 1, 2, 3 … and the head is read and extended under the write lock, so concurrent appends never fork the chain.
    func appendAudit(_ entries: [AuditEntry]) async throws(GeoError)
    /// Audit lines newest first, filtered by time (`from ≤ time < to`), key and kind.
    func auditEntries(from: Double?, to: Double?, keyId: String?, kind: AuditKind?, limit: Int) async throws(GeoError) -> [AuditEntry]
    /// Lines of `kind` (all when nil) per bucket of `bucketSeconds`, buckets starting at midnight in `utcOffsetSeconds`;
    /// empty buckets left out, oldest first.
    func auditCounts(kind: AuditKind?, from: Double?, to: Double?, bucketSeconds: Int, utcOffsetSeconds: Int) async throws(GeoError) -> [AuditCount]
    /// The chained lines after position `afterId`, in order, at most `limit` (``AuditChain/verify(_:pageSize:)``).
    func auditChain(afterId: Int64, limit: Int) async throws(GeoError) -> [ChainedAuditEntry]
}

/// What a store says about itself, for `/health` and `/ready`.
@MemberwiseInit
public struct StoreDescription: Hashable, Sendable {
    /// `spatialite` or `postgis`.
    public var backend: String
    /// The spatial extension's version, e.g. `5.0.1`.
    public var version: String
    /// Where the data lives, without secrets (a file path, a host and database name).
    public var location: String
}

/// Everything the server and the CLI store: layers and the catalogue, fences, events and evaluator states,
/// tracks, keys and the audit log, behind one existential.
///
/// The server and the CLI see only this protocol (and the narrower ones it gathers); the composition root (the
/// store opener of `citygeo` and ``SpatialStore/open(_:)``) is the one place that names a backend. A second
/// backend is one new type conforming to it, plus its tests.
public protocol CityStore: FeatureStore, PositionStore, AccessStore, StoreChangeFeed, VehicleStateStore, WebhookOutbox, FenceEventLookup,
    SensitiveColumnStore, StoreBackup
{
    /// The backend, its version and where it keeps the data; doubles as a round trip to the database.
    func describe() async throws(GeoError) -> StoreDescription
}

extension SpatialStore: CityStore {
    public func describe() async throws(GeoError) -> StoreDescription {
        StoreDescription(backend: "spatialite", version: try await spatialiteVersion(), location: path ?? ":memory:")
    }

    /// Opens (creating if needed, with its folder) the SpatiaLite database at `path`, sealing sensitive columns with
    /// `dataKeys`.
    public static func open(_ path: String, dataKeys: DataKeyRing? = nil) throws(GeoError) -> SpatialStore {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw GeoError(code: .ioError, message: "cannot create the folder \(folder.path) of the database", underlying: "\(error)")
        }
        return try SpatialStore(path: path, dataKeys: dataKeys)
    }
}
