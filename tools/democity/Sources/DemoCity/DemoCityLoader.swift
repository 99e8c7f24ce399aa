import Foundation
import GeoCore
import GeoStore

/// Loads the demo city's files (GridData/ and AddressBooks/) into a store, one layer per file, each import
/// in its own transaction. `citygeo serve` runs it on a first start; tools and tests load the demo city with it.
public enum DemoCityLoader {
    /// One demo-city file and the layer it becomes.
    public struct Source: Sendable {
        public let path: String
        public let layer: String
        public let title: String
    }

    /// Every layer of the demo city, in load order (regions first, address book last).
    public static let demoCitySources: [Source] = [
        Source(path: "GridData/district.geojson", layer: "district", title: "区县 District"),
        Source(path: "GridData/streets.geojson", layer: "streets", title: "街道/镇 Streets and towns"),
        Source(path: "GridData/communities.geojson", layer: "communities", title: "社区/村 Communities and villages"),
        Source(path: "GridData/unit_grids.geojson", layer: "unit_grids", title: "单元网格 Unit grids"),
        Source(path: "GridData/eval_area_types.geojson", layer: "eval_area_types", title: "评价区域类型 A/B/C areas"),
        Source(path: "GridData/sample_points.geojson", layer: "sample_points", title: "评价点位 Sample points"),
        Source(path: "GridData/rivers.geojson", layer: "rivers", title: "河道 Rivers"),
        Source(path: "AddressBooks/roads.geojson", layer: "roads", title: "街巷 Roads"),
        Source(path: "AddressBooks/compounds.geojson", layer: "compounds", title: "小区 Compounds"),
        Source(path: "AddressBooks/door_plates.csv", layer: "door_plates", title: "门牌 Door plates"),
        Source(path: "AddressBooks/buildings.csv", layer: "buildings", title: "楼幢 Buildings"),
        Source(path: "AddressBooks/pois.csv", layer: "pois", title: "兴趣点 POIs"),
        Source(path: "AddressBooks/components.csv", layer: "components", title: "部件 Components"),
    ]

    /// The demo-city layers a start should import into a store holding `present`: every one into an empty
    /// store; the missing ones into a store holding only layers this loader made (demo names and titles), which
    /// is what a first start killed during its import leaves (each layer is its own transaction); none into a
    /// store holding anything else, a city of its own.
    public static func layersToImport(present: [LayerInfo]) -> [Source] {
        let demo = Dictionary(uniqueKeysWithValues: demoCitySources.map { ($0.layer, $0.title) })
        guard present.allSatisfy({ $0.title != nil && demo[$0.name] == $0.title }) else { return [] }
        let names = Set(present.map(\.name))
        return demoCitySources.filter { !names.contains($0.layer) }
    }

    /// Imports the demo-city layers of `sources` (by default all) from files under `root`, replacing layers of
    /// the same name.
    /// - Parameter progress: called with (layer, done, total) as each import advances.
    /// - Returns: the catalogue entries of the imported layers.
    @discardableResult
    public static func loadDemoCity(
        into store: some FeatureStore, from root: URL, sources: [Source] = demoCitySources,
        progress: @escaping @Sendable (_ layer: String, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
    ) async throws -> [LayerInfo] {
        var loaded: [LayerInfo] = []
        for source in sources {
            let url = root.appendingPathComponent(source.path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw GeoError(
                    code: .notFound, message: "demo-city file \(source.path) is missing under \(root.path); run `citygeo demo-city`")
            }
            let options = ImportOptions(mode: .replace, title: source.title)
            let layer = source.layer
            loaded.append(
                try await store.importFile(at: url, as: layer, options: options) { done, total in progress(layer, done, total) })
        }
        return loaded
    }

    /// Imports into `store` what ``layersToImport(present:)`` says is missing (everything into an empty store,
    /// the rest of an interrupted first start, nothing into a city of its own), telling `report` what it does.
    /// - Returns: the catalogue entries of the imported layers.
    @discardableResult
    public static func importIfNeeded(
        into store: some FeatureStore, from root: URL, report: @escaping @Sendable (String) -> Void
    ) async throws -> [LayerInfo] {
        let present = try await store.layers()
        let missing = layersToImport(present: present)
        guard !missing.isEmpty else { return [] }
        report(
            present.isEmpty
                ? "empty database: importing the demo city from \(root.path)"
                : "the demo city is incomplete (an interrupted first start?): importing \(missing.count) more layers from \(root.path)")
        let loaded = try await loadDemoCity(into: store, from: root, sources: missing) { layer, done, total in
            if done == total { report("imported \(layer): \(total) features") }
        }
        report("demo city ready: \(present.count + loaded.count) layers")
        return loaded
    }
}
