import Foundation
import GeoCore
import GeoStore

/// The in-memory indexes of point layers a request names (`/v1/nearest`, `/v1/within`, `/v1/heat`,
/// `/v1/aggregate`), the case indexes of case layers (`/v1/cases/duplicates`) and their statistics indexes
/// (`/v1/stats`), each built on first use and rebuilt when its layer changes; the catalogue is read at most once
/// per check interval, not per request.
public final class PointLayers: Sendable {
    private let indexes: LayerVersionedValues<PointLayerIndex>
    private let caseIndexes: LayerVersionedValues<CaseDuplicateDetector>
    private let statisticsIndexes: LayerVersionedValues<CaseStatisticsIndex>

    /// Indexes over `store`, checked at most once per `checkInterval`; case records without a `grid_code` are
    /// attributed to the unit grid of `locator` (and rebuilt when the unit grids change).
    public init(store: any FeatureStore, checkInterval: Duration, locator: LayerVersionedValue<GridLocator>) {
        indexes = LayerVersionedValues(store: store, checkInterval: checkInterval) { store, layer in
            PointLayerIndex(try await Self.features(of: layer, in: store).map(\.feature))
        }
        caseIndexes = LayerVersionedValues(
            store: store, checkInterval: checkInterval, alsoWatching: [GridLocator.layerNames.unitGrids]
        ) { store, layer in
            CaseDuplicateDetector(cases: CaseRecord.records(from: try await Self.features(of: layer, in: store), locator: try await locator.value))
        }
        // Statistics attribute cases to the finest region, so every region layer of the locator is watched.
        statisticsIndexes = LayerVersionedValues(store: store, checkInterval: checkInterval, alsoWatching: GridLocator.sourceLayers) {
            store, layer in
            CaseStatisticsIndex(features: try await Self.features(of: layer, in: store), locator: try await locator.value)
        }
    }

    /// The point index of `layer`; `layer_not_found` when there is no such layer.
    public func index(of layer: String) async throws -> PointLayerIndex { try await indexes.value(of: layer) }

    /// Rebuilds what was built from `layer` at its next use (the store's change feed reported a change).
    public func invalidate(layer: String) {
        indexes.invalidate(layer: layer)
        caseIndexes.invalidate(layer: layer)
        statisticsIndexes.invalidate(layer: layer)
    }

    /// The statistics index of `layer`; `layer_not_found` when there is no such layer.
    public func statistics(of layer: String) async throws -> CaseStatisticsIndex { try await statisticsIndexes.value(of: layer) }

    /// The case index of `layer`; `layer_not_found` when there is no such layer.
    public func cases(of layer: String) async throws -> CaseDuplicateDetector { try await caseIndexes.value(of: layer) }

    private static func features(of layer: String, in store: any FeatureStore) async throws(GeoError) -> [StoredFeature] {
        guard try await store.layer(named: layer) != nil else {
            throw GeoError(code: .layerNotFound, message: "no layer named \"\(layer)\"", location: "layer")
        }
        return try await store.features(in: layer)
    }
}

extension CaseRecord {
    /// The cases of a layer: point features with `category` and `time` (in one of ``TimeText``'s forms), and
    /// optionally `status` (accepted by default), `closed_time` (or `closed_at`: when a closed case was closed) and
    /// `grid_code` (else the unit grid of `locator` holding the point). Features lacking a point, a category or a
    /// readable time are not cases and are skipped. The id is the feature's id, else its row id.
    public static func records(from features: [StoredFeature], locator: GridLocator) -> [CaseRecord] {
        features.compactMap { stored in
            let feature = stored.feature
            guard case .point(let p)? = feature.geometry, let category = feature.properties["category"]?.stringValue,
                let text = feature.properties["time"]?.scalarText, let seconds = try? TimeText.seconds(text)
            else { return nil }
            let closed = (feature.properties["closed_time"] ?? feature.properties["closed_at"])?.scalarText
                .flatMap { try? TimeText.seconds($0) }.map { Date(timeIntervalSince1970: $0) }
            return CaseRecord(
                id: feature.id?.text ?? String(stored.fid), category: category, time: Date(timeIntervalSince1970: seconds),
                position: p.coordinate, gridCode: feature.properties["grid_code"]?.stringValue ?? locator.unitGrid(at: p.coordinate)?.code,
                status: feature.properties["status"]?.stringValue ?? "accepted", closedTime: closed)
        }
    }
}
