import Foundation
import GeoCore

extension FeatureStore {
    /// Imports GeoJSON bytes as layer `name`, in one transaction.
    ///
    /// Accepts a FeatureCollection, a Feature or a bare geometry. Reading errors keep the codec's code
    /// (`invalid_json`, `invalid_geojson`, `out_of_range`) and its JSON path, e.g.
    /// `features[3].geometry.coordinates[0][2]`; validation errors name `features[i].geometry`.
    public func importGeoJSON(
        name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgressHandler? = nil
    ) async throws(GeoError) -> LayerInfo {
        _ = try LayerName(name)
        // Range checks belong to geographic SRIDs only: a Gauss-Krüger layer holds metres.
        let readOptions: GeoJSON.ReadOptions = SpatialReference.isGeographic(options.srid) ? .geographic : .projected
        let collection = try GeoJSON.decodeFeatures(bytes, options: readOptions)
        return try await importLayer(
            name: name, features: collection.features, options: options, progress: progress,
            locate: { "features[\($0)].geometry" })
    }

    /// Imports a GeoJSON file as layer `name`; see ``importGeoJSON(name:bytes:options:progress:)``.
    public func importGeoJSON(
        name: String, file: URL, options: ImportOptions = ImportOptions(), progress: ImportProgressHandler? = nil
    ) async throws(GeoError) -> LayerInfo {
        try await importGeoJSON(name: name, bytes: try readFile(file), options: options, progress: progress)
    }
}
