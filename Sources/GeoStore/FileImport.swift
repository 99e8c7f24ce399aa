import Foundation
import GeoCore

extension FeatureStore {
    /// Imports a file as a layer, choosing the reader by extension: `.geojson`/`.json` as GeoJSON, `.csv` as
    /// CSV with auto-detected geometry columns. Throws `invalid_argument` naming any other extension.
    public func importFile(
        at url: URL, as name: String, options: ImportOptions = ImportOptions(), csv: CSVOptions = CSVOptions(),
        progress: ImportProgressHandler? = nil
    ) async throws(GeoError) -> LayerInfo {
        switch url.pathExtension.lowercased() {
        case "geojson", "json":
            return try await importGeoJSON(name: name, file: url, options: options, progress: progress)
        case "csv":
            return try await importCSV(name: name, file: url, csv: csv, options: options, progress: progress)
        default:
            throw GeoError(
                code: .invalidArgument,
                message: "cannot import \(url.lastPathComponent): expected a .geojson, .json or .csv file")
        }
    }
}
