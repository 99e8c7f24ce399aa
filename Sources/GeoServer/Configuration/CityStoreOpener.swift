import GeoCore
import GeoStore
import GeoStorePostGIS

/// The one place that names a store backend: `citygeo serve`, every `citygeo` command and the tests open their
/// store here, by location.
public enum CityStoreOpener {
    /// The store at `location`: a PostgreSQL/PostGIS database for a `postgres://` or `postgresql://` URL
    /// (``PostGISStore``, its schema migrated), a SpatiaLite file path otherwise (created with its folder when
    /// missing), or a temporary SpatiaLite store (removed when released) when nil.
    public static func open(_ location: String?) async throws(GeoError) -> any CityStore {
        guard let location else { return try SpatialStore.temporary() }
        if PostGISLocation.isPostgresURL(location) { return try await PostGISStore.open(url: location) }
        return try SpatialStore.open(location)
    }
}
