import Foundation
import GeoCore
import GeoCrypto
internal import GRDB

/// Single-feature edits on SpatiaLite: each one write transaction that checks the feature (``FeatureEditPlan``),
/// writes its row as an import does (``LayerRow``; the R*Tree follows through SpatiaLite's triggers) and saves the
/// layer's catalogue entry with a new version, which the layer's caches and tiles follow.
extension SpatialStore {
    /// Adds `feature` to `layer`; see ``FeatureStore/insertFeature(_:into:)``.
    public func insertFeature(_ feature: Feature, into layer: String) async throws(GeoError) -> FeatureEdit {
        try await edit(layer, writing: feature) { plan, db, keys in
            try LayerEdits.writeRow(db, feature, plan: plan, sql: LayerRow.insertSQL(plan.layer), keys: keys)
            return (db.lastInsertedRowID, plan.entryAfterInsert(version:now:))
        }
    }

    /// Rewrites feature `fid` of `layer`; see ``FeatureStore/replaceFeature(fid:in:with:)``.
    public func replaceFeature(fid: Int64, in layer: String, with feature: Feature) async throws(GeoError) -> FeatureEdit {
        try await edit(layer, writing: feature) { plan, db, keys in
            let old = try LayerEdits.box(db, plan, fid: fid)
            try LayerEdits.writeRow(db, feature, plan: plan, sql: LayerRow.updateSQL(plan.layer), keys: keys, after: [fid])
            let extent = try LayerEdits.extent(db, after: plan, replacing: old)
            return (fid, { plan.entryAfterReplace(extent: extent, version: $0, now: $1) })
        }
    }

    /// Removes feature `fid` of `layer`; see ``FeatureStore/deleteFeature(fid:in:)``.
    public func deleteFeature(fid: Int64, in layer: String) async throws(GeoError) -> FeatureEdit {
        try await edit(layer, writing: nil) { plan, db, _ in
            let old = try LayerEdits.box(db, plan, fid: fid)
            try db.execute(sql: "DELETE FROM \"\(plan.layer.tableName)\" WHERE fid = ?", arguments: [fid])
            let extent = try LayerEdits.extent(db, after: plan, replacing: old)
            return (fid, { plan.entryAfterDelete(extent: extent, version: $0, now: $1) })
        }
    }

    /// One edit of `layer` in one write transaction: the plan of writing `feature` (nil: a delete) from the catalogue
    /// entry, `body` changing the rows (with the store's data keys) and answering the fid and the entry for a version
    /// and a time, then that entry saved with the layer's next version.
    private func edit(
        _ layer: String, writing feature: Feature?,
        _ body: @escaping @Sendable (FeatureEditPlan, Database, DataKeyRing?) throws -> (fid: Int64, entry: (Int64, Date) -> LayerInfo)
    ) async throws(GeoError) -> FeatureEdit {
        let name = try LayerName(layer)
        let keys = dataKeys
        return try await write { db in
            let plan = try FeatureEditPlan(layer: name, existing: try LayerCatalog.fetch(db, name: name), writing: feature)
            let (fid, entry) = try body(plan, db, keys)
            let info = entry(try LayerCatalog.nextVersion(db, name: name), Date())
            try LayerCatalog.save(db, info)
            return FeatureEdit(fid: fid, layer: try LayerCatalog.fetch(db, name: name) ?? info)
        }
    }
}

/// The SQL of single-feature edits. Every function runs inside the caller's transaction.
enum LayerEdits {
    /// The bounds of a geometry from the MBR SpatiaLite keeps in every geometry blob (exact doubles, unlike the
    /// R*Tree's rounded floats): min x, min y, max x, max y.
    private static let bounds = ["MbrMinX", "MbrMinY", "MbrMaxX", "MbrMaxY"].map { "\($0)(\(LayerSchema.geometryColumn))" }

    /// Writes `feature`'s row with `sql` (``LayerRow/insertSQL(_:)`` or ``LayerRow/updateSQL(_:)`` followed by the fid
    /// in `extra`), its sensitive members sealed as the register says.
    static func writeRow(
        _ db: Database, _ feature: Feature, plan: FeatureEditPlan, sql: String, keys: DataKeyRing?, after extra: StatementArguments = []
    ) throws {
        let seal = try PropertySeal.load(db, layer: plan.layer.rawValue, keys: keys)
        try LayerRow.write(
            feature, index: 0, with: try db.makeStatement(sql: sql), srid: plan.srid, seal: seal,
            locate: { _ in FeatureEditPlan.location }, after: extra)
    }

    /// The bounding box of feature `fid`, or `feature_not_found`.
    static func box(_ db: Database, _ plan: FeatureEditPlan, fid: Int64) throws -> BoundingBox {
        let row = try Row.fetchOne(
            db, sql: "SELECT \(bounds.joined(separator: ", ")) FROM \"\(plan.layer.tableName)\" WHERE fid = ?", arguments: [fid])
        guard let box = boundingBox(row) else { throw GeoError.missingFeature(fid: fid, in: plan.layer) }
        return box
    }

    /// The layer's extent after `plan` replaced or deleted a geometry bounded by `old`: from the catalogue when the
    /// plan can tell, else from every geometry of the table (nil when it holds none).
    static func extent(_ db: Database, after plan: FeatureEditPlan, replacing old: BoundingBox) throws -> BoundingBox? {
        if let kept = plan.extent(replacing: old) { return kept }
        let aggregates = zip(["min", "min", "max", "max"], bounds).map { "\($0)(\($1))" }
        return boundingBox(try Row.fetchOne(db, sql: "SELECT \(aggregates.joined(separator: ", ")) FROM \"\(plan.layer.tableName)\""))
    }

    /// The box of a row of ``bounds``' four values; nil for no row or NULLs.
    private static func boundingBox(_ row: Row?) -> BoundingBox? {
        guard let row, let minX: Double = row[0], let minY: Double = row[1], let maxX: Double = row[2], let maxY: Double = row[3]
        else { return nil }
        return BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }
}
