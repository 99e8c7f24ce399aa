import Foundation
import GeoCore

/// The errors of layers and their features that every backend raises, worded once.
extension GeoError {
    /// `layer_not_found` for `layer`, worded alike by every backend.
    public static func missingLayer(_ layer: LayerName) -> GeoError {
        GeoError(code: .layerNotFound, message: "there is no layer \"\(layer)\"")
    }

    /// `feature_not_found`: layer `layer` holds no feature `fid`.
    public static func missingFeature(fid: Int64, in layer: LayerName) -> GeoError {
        GeoError(code: .featureNotFound, message: "layer \"\(layer)\" has no feature with fid \(fid)")
    }

    /// `invalid_geometry`: the database refused to store feature `index` (a geometry of the wrong type or SRID, bytes
    /// it cannot read), with its message as the cause.
    public static func rejectedFeature(_ index: Int, location: String, underlying: String?) -> GeoError {
        GeoError(
            code: .invalidGeometry, message: "feature \(index) was rejected by the database", location: location,
            underlying: underlying)
    }
}
