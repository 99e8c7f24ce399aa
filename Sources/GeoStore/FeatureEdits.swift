import Foundation
import GeoCore

/// What a single-feature edit (``FeatureStore/insertFeature(_:into:)``, ``FeatureStore/replaceFeature(fid:in:with:)``,
/// ``FeatureStore/deleteFeature(fid:in:)``) does to its layer, decided from the layer's catalogue entry: the same
/// checks, errors and catalogue entry on every backend, which only read and write the rows.
///
/// A written feature is checked as an import appending it to the layer would check it (``ImportValidator`` and
/// ``ImportPlan`` with the layer's SRID), so that an edit accepts exactly what an import accepts.
public struct FeatureEditPlan: Sendable {
    /// Where the errors about the edited feature point: its geometry member.
    public static let location = "geometry"

    public let layer: LayerName
    /// The layer's catalogue entry before the edit.
    public let existing: LayerInfo
    /// The feature written, checked and summarised, with the import plan appending it; nil for a delete.
    private let written: (summary: ImportSummary, plan: ImportPlan, options: ImportOptions)?

    /// The plan of a delete (`feature` nil), or of an insert or replace writing `feature`, which is checked here.
    /// Throws `layer_not_found` when `existing` is nil, and for a written feature what an import appending it would
    /// throw (`invalid_geometry`, `out_of_range`), located at ``location``.
    public init(layer: LayerName, existing: LayerInfo?, writing feature: Feature?) throws(GeoError) {
        guard let existing else { throw GeoError.missingLayer(layer) }
        self.layer = layer
        self.existing = existing
        guard let feature else {
            written = nil
            return
        }
        let options = ImportOptions(mode: .append, srid: existing.srid)
        let locate: (Int) -> String = { _ in Self.location }
        let summary = try ImportValidator.validate(CollectionOfOne(feature), options: options, locate: locate)
        let plan = try ImportPlan(
            layer: layer, existing: existing, tableExists: true, summary: summary, options: options, locate: locate)
        written = (summary, plan, options)
    }

    /// The SRID the feature's geometry is written in: the layer's.
    public var srid: Int32 { existing.srid }

    /// The layer's extent once the geometry bounded by `old` gives way to the written one (none for a delete), when
    /// the catalogue alone tells it: `old` lies strictly inside the extent, so the extent keeps every edge. Nil when
    /// `old` reached an edge: the extent may shrink, and the backend asks the table for it.
    public func extent(replacing old: BoundingBox) -> BoundingBox? {
        guard let extent = existing.bbox, old.minX > extent.minX, old.minY > extent.minY, old.maxX < extent.maxX,
            old.maxY < extent.maxY
        else { return nil }
        return written?.summary.bbox.map { extent.union($0) } ?? extent
    }

    /// The catalogue entry after an insert: as after an import appending the feature (count and extent grown,
    /// schema widened by its properties, title and creation time kept).
    public func entryAfterInsert(version: Int64, now: Date) -> LayerInfo {
        guard let written else { return touched(version: version, now: now) }
        return written.plan.catalogueEntry(summary: written.summary, options: written.options, version: version, now: now)
    }

    /// The catalogue entry after a replace: the count kept, the schema widened by the new properties (never
    /// narrowed: other features may still hold a member), the extent `extent`.
    public func entryAfterReplace(extent: BoundingBox?, version: Int64, now: Date) -> LayerInfo {
        var entry = entryAfterInsert(version: version, now: now)
        entry.featureCount = existing.featureCount
        entry.bbox = extent
        return entry
    }

    /// The catalogue entry after a delete: one feature fewer, the extent `extent` (nil when the layer is empty), the
    /// schema kept.
    public func entryAfterDelete(extent: BoundingBox?, version: Int64, now: Date) -> LayerInfo {
        var entry = touched(version: version, now: now)
        entry.featureCount = max(existing.featureCount - 1, 0)
        entry.bbox = extent
        return entry
    }

    /// The entry before the edit with its new version and time.
    private func touched(version: Int64, now: Date) -> LayerInfo {
        var entry = existing
        entry.updatedAt = now
        entry.version = version
        return entry
    }
}
