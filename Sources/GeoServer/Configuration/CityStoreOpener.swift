import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import GeoStorePostGIS

/// The one place that names a store backend: `citygeo serve`, every `citygeo` command and the tests open their
/// store here, by location.
public enum CityStoreOpener {
    /// The store at `location`: a PostgreSQL/PostGIS database for a `postgres://` or `postgresql://` URL
    /// (``PostGISStore``, its schema migrated), a SpatiaLite file path otherwise (created with its folder when
    /// missing), or a temporary SpatiaLite store (removed when released) when nil. `dataKeys` seal the sensitive
    /// columns at rest on either backend.
    public static func open(_ location: String?, dataKeys: DataKeyRing? = nil) async throws(GeoError) -> any CityStore {
        guard let location else { return try SpatialStore.temporary(dataKeys: dataKeys) }
        if PostGISLocation.isPostgresURL(location) { return try await PostGISStore.open(url: location, dataKeys: dataKeys) }
        return try SpatialStore.open(location, dataKeys: dataKeys)
    }

    /// Where `citygeo restore` puts a backup of `backupFormat` (``BackupManifest/snapshotFormat``): a new
    /// PostgreSQL database for a `postgres://` URL, a new SpatiaLite file for a path; nil checks only (a SpatiaLite
    /// backup on a temporary copy, a pg_dump by reading it). A backup restored into the other backend's kind of
    /// target is refused by the restore, naming the right one.
    public static func restoreTarget(_ location: String?, backupFormat: String) throws(GeoError) -> any BackupRestoreTarget {
        if let location, PostGISLocation.isPostgresURL(location) { return try PostGISRestoreTarget(url: location) }
        if location == nil, backupFormat == "pg_dump" { return try PostGISRestoreTarget(url: nil) }
        return SpatiaLiteRestoreTarget(file: location.map { URL(fileURLWithPath: $0) })
    }
}
