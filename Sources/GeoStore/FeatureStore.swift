import Foundation
import GeoCore

/// The storage seam every feature module talks to.
///
/// ``SpatialStore`` implements it on SpatiaLite; a PostGIS backend can implement it later for cities that
/// outgrow one machine. The protocol speaks GeoCore types only, so no caller ever sees the database library.
/// Every method throws ``GeoError`` only.
public protocol FeatureStore: Sendable {
    /// Every layer of the catalogue, sorted by name.
    func layers() async throws(GeoError) -> [LayerInfo]

    /// The catalogue entry of one layer, or nil when there is no such layer.
    /// Throws `invalid_layer_name` for a name that could never be a layer.
    func layer(named name: String) async throws(GeoError) -> LayerInfo?

    /// The catalogue `version` of a layer, or nil when there is no such layer: the cheapest way for a cache to
    /// learn whether a layer changed.
    func layerVersion(named name: String) async throws(GeoError) -> Int64?

    /// Imports `features` into layer `name` in a single transaction: on any failure the catalogue, the layer
    /// tables and their spatial indexes are left exactly as they were.
    ///
    /// Before anything is written every feature is checked: it has a geometry, the geometry is not empty and
    /// structurally sound, every coordinate is finite (and within [-180, 180] x [-90, 90] for a geographic SRID),
    /// and its type fits the layer.
    ///
    /// - Parameters:
    ///   - progress: called with (done, total) every ``ImportOptions/progressInterval`` features and at the end.
    ///   - locate: the location of feature `i` in the caller's input, for errors (`features[i].geometry` for
    ///     GeoJSON, `line 12, column "wkt"` for CSV).
    /// - Returns: the layer's catalogue entry after the import.
    func importLayer<Features: Collection & Sendable>(
        name: String, features: Features, options: ImportOptions, progress: ImportProgressHandler?,
        locate: @escaping @Sendable (Int) -> String
    ) async throws(GeoError) -> LayerInfo where Features.Element == Feature

    /// Features of a layer in ascending `fid` order: all of them, or those whose bounding box intersects
    /// `bbox` (answered from the spatial index), paged with `limit` and `offset`.
    func features(in layer: String, bbox: BoundingBox?, limit: Int?, offset: Int) async throws(GeoError) -> [StoredFeature]

    /// The next `limit` features after `afterFid` in ascending `fid` order, optionally those whose bounding box
    /// intersects `bbox`: keyset paging, so a scan through a large layer costs each row once (an `offset` makes the
    /// database walk past every row before it again).
    func features(in layer: String, bbox: BoundingBox?, afterFid: Int64, limit: Int) async throws(GeoError) -> [StoredFeature]

    /// The number of features of a layer, or of those whose bounding box intersects `bbox`.
    func featureCount(in layer: String, bbox: BoundingBox?) async throws(GeoError) -> Int

    /// One feature of a layer by its `fid`, or nil when the layer has no such feature. Throws `layer_not_found`.
    func feature(in layer: String, fid: Int64) async throws(GeoError) -> StoredFeature?

    /// Adds one feature to an existing layer in one transaction (checked as an import checks each feature: geometry
    /// present, sound, finite, in range for a geographic SRID, type fits the layer); new property names extend the
    /// schema; the count, extent, updated_at and version of the catalogue entry follow.
    ///
    /// Throws `layer_not_found`, or what an import appending the feature would throw (`invalid_geometry`,
    /// `out_of_range`, located at `geometry`); nothing changes then. The new feature's `fid` is above every `fid`
    /// the layer ever held: a deleted fid is never given again (OGC API items are named by it).
    func insertFeature(_ feature: Feature, into layer: String) async throws(GeoError) -> FeatureEdit

    /// Replaces geometry, properties and source id of feature `fid` in one transaction; throws `feature_not_found`
    /// when there is none. Catalogue as for insert (extent recomputed).
    func replaceFeature(fid: Int64, in layer: String, with feature: Feature) async throws(GeoError) -> FeatureEdit

    /// Deletes feature `fid` in one transaction; throws `feature_not_found` when there is none. Count, extent
    /// (recomputed; nil when empty), version follow.
    func deleteFeature(fid: Int64, in layer: String) async throws(GeoError) -> FeatureEdit

    /// The whole layer as a GeoJSON FeatureCollection (UTF-8 bytes); see the default implementation.
    func exportGeoJSON(layer: String) async throws(GeoError) -> [UInt8]

    /// Deletes a layer: its table, spatial index, geometry metadata and catalogue entry, in one transaction.
    /// Throws `layer_not_found` when there is no such layer.
    func deleteLayer(named name: String) async throws(GeoError)
}

extension FeatureStore {
    /// Imports `features`, naming a bad one `features[i].geometry`; see
    /// ``importLayer(name:features:options:progress:locate:)``.
    public func importLayer<Features: Collection & Sendable>(
        name: String, features: Features, options: ImportOptions, progress: ImportProgressHandler?
    ) async throws(GeoError) -> LayerInfo where Features.Element == Feature {
        try await importLayer(name: name, features: features, options: options, progress: progress, locate: { "features[\($0)].geometry" })
    }

    /// The version through ``layer(named:)``; stores with a cheaper way override it.
    public func layerVersion(named name: String) async throws(GeoError) -> Int64? {
        try await layer(named: name)?.version
    }

    /// Imports a feature collection; see ``importLayer(name:features:options:progress:)``.
    public func importLayer(
        name: String, features: FeatureCollection, options: ImportOptions = ImportOptions(),
        progress: ImportProgressHandler? = nil
    ) async throws(GeoError) -> LayerInfo {
        try await importLayer(name: name, features: features.features, options: options, progress: progress)
    }

    /// The layer as a GeoJSON FeatureCollection in `fid` order, written by GeoCore's GeoJSON writer from
    /// ``features(in:bbox:limit:offset:)``, so that every backend exports the same bytes for the same layer. Each
    /// feature's `id` is its source id when it was imported with one, else its `fid`.
    public func exportGeoJSON(layer: String) async throws(GeoError) -> [UInt8] {
        let stored = try await features(in: layer, bbox: nil, limit: nil, offset: 0)
        let collection = FeatureCollection(stored.map { item in
            var feature = item.feature
            if feature.id == nil { feature.id = .int(item.fid) }
            return feature
        })
        return try GeoJSON.encodeBytes(collection)
    }

    /// Every feature of a layer in `fid` order.
    public func features(in layer: String) async throws(GeoError) -> [StoredFeature] {
        try await features(in: layer, bbox: nil, limit: nil, offset: 0)
    }

    /// Features whose bounding box intersects `bbox`, in `fid` order.
    public func features(in layer: String, bbox: BoundingBox, limit: Int? = nil) async throws(GeoError) -> [StoredFeature] {
        try await features(in: layer, bbox: bbox, limit: limit, offset: 0)
    }

    /// The number of features of a layer.
    public func featureCount(in layer: String) async throws(GeoError) -> Int {
        try await featureCount(in: layer, bbox: nil)
    }
}

/// Called during an import with the number of features written so far and the total.
/// Runs on the database's writer thread: keep it short (e.g. update a progress bar).
public typealias ImportProgressHandler = @Sendable (_ done: Int, _ total: Int) -> Void

/// The kind of values an attribute holds, as recorded in a layer's attribute schema.
public enum AttributeType: String, Hashable, Sendable, Codable, CaseIterable {
    case integer
    case real
    case text
    case boolean
    /// Arrays, objects, or values of mixed kinds.
    case json
}

/// One attribute of a layer's schema.
@MemberwiseInit
public struct AttributeField: Hashable, Sendable, Codable {
    public var name: String
    public var type: AttributeType
}

/// A layer's entry in the catalogue.
@MemberwiseInit
public struct LayerInfo: Hashable, Sendable {
    /// The layer name (see ``LayerName``).
    public var name: String
    /// A title for people, e.g. "单元网格".
    public var title: String?
    /// The one geometry type every feature has, or nil when the layer accepts any type.
    public var geometryType: GeometryType?
    /// The spatial reference id of every geometry (4490, CGCS2000, by default).
    public var srid: Int32
    /// The attributes found in the features' properties, sorted by name.
    public var schema: [AttributeField]
    public var featureCount: Int
    /// The extent of every geometry; nil for an empty layer.
    public var bbox: BoundingBox?
    public var createdAt: Date
    public var updatedAt: Date
    /// Incremented on every change to the layer, and never reused for the same name even after a delete,
    /// so tiles and caches can key on (name, version).
    public var version: Int64
}

/// A feature as stored in a layer: its row id in the layer plus the feature (whose `id` is the source id
/// the feature was imported with, if any).
@MemberwiseInit
public struct StoredFeature: Hashable, Sendable {
    /// The feature's id within its layer (the table's INTEGER PRIMARY KEY), stable until the layer is replaced.
    public var fid: Int64
    public var feature: Feature
}

/// What a single-feature edit leaves behind: the feature's id in the layer and the layer's catalogue entry after it.
@MemberwiseInit
public struct FeatureEdit: Hashable, Sendable {
    /// The id of the feature inserted, replaced or deleted.
    public var fid: Int64
    /// The layer's catalogue entry after the edit (a new `version`).
    public var layer: LayerInfo
}

/// What an import does when the layer already exists.
public enum ImportMode: String, Hashable, Sendable, CaseIterable {
    /// Throw `layer_exists` and change nothing.
    case failIfExists
    /// Drop the old layer and create it anew, atomically: readers see the old or the new layer, never neither.
    case replace
    /// Add the features to the existing layer (its SRID and geometry type must agree).
    case append
}

/// How an import creates or updates its layer.
@MemberwiseInit
public struct ImportOptions: Hashable, Sendable {
    public var mode: ImportMode = .failIfExists
    /// The SRID of the incoming coordinates and of the layer. Geographic SRIDs (4490, 4326) get their
    /// coordinates range-checked.
    public var srid: Int32 = SpatialReference.cgcs2000
    /// The layer's geometry type; nil infers it: the common type of every feature, or any type when they differ.
    public var geometryType: GeometryType?
    /// A title for the catalogue; nil keeps an existing layer's title.
    public var title: String?
    /// How many features between two calls of the progress handler.
    public var progressInterval: Int = 1000
}

/// Spatial reference ids the store knows about.
public enum SpatialReference {
    /// CGCS2000 geographic, the storage SRID of Chinese city platforms.
    public static let cgcs2000: Int32 = 4490
    /// WGS 84 geographic.
    public static let wgs84: Int32 = 4326
    /// Web Mercator.
    public static let webMercator: Int32 = 3857

    /// Whether coordinates of `srid` are longitude/latitude in degrees and must lie within [-180, 180] x [-90, 90].
    public static func isGeographic(_ srid: Int32) -> Bool {
        srid == cgcs2000 || srid == wgs84
    }
}
