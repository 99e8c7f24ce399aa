import GeoCore
import GeoCrypto
import GeoStore

/// The one place that names a store backend: `citygeo serve`, every `citygeo` command and the tests open their
/// store here, by location.
public enum CityStoreOpener {
    /// The store at `location`: a SpatiaLite file path (created with its folder when missing), or a temporary
    /// SpatiaLite store (removed when released) when nil.
    public static func open(_ location: String?, dataKeys: DataKeyRing? = nil) throws(GeoError) -> any CityStore {
        guard let location else { return try SpatialStore.temporary(dataKeys: dataKeys) }
        return try SpatialStore.open(location, dataKeys: dataKeys)
    }
}
