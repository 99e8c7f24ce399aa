import Foundation
import GeoCore
import GeoStore

/// Past draws kept in the store (layer `sampling_history`), so that the next plan can avoid repeating the
/// grids and points of the last N rounds (不可重复性).
public enum SamplingHistory {
    public static let layerName = "sampling_history"

    /// Codes and ids drawn per round, rounds ascending.
    public static func rounds(in store: some FeatureStore) async throws(GeoError) -> [(round: Int, items: Set<String>)] {
        guard try await store.layer(named: layerName) != nil else { return [] }
        var byRound: [Int: Set<String>] = [:]
        for stored in try await store.features(in: layerName) {
            guard let round = stored.feature.properties["round"]?.intValue, let code = stored.feature.properties["code"]?.stringValue else { continue }
            byRound[Int(round), default: []].insert(code)
        }
        return byRound.keys.sorted().map { ($0, byRound[$0]!) }
    }

    /// The codes and ids drawn in the last `count` rounds.
    public static func recent(_ count: Int, in store: some FeatureStore) async throws(GeoError) -> Set<String> {
        guard count > 0 else { return [] }
        return try await rounds(in: store).suffix(count).reduce(into: Set<String>()) { $0.formUnion($1.items) }
    }

    /// Appends the plan's grids and points as the next round, in one transaction; returns the round number.
    @discardableResult
    public static func record(_ plan: SamplingPlan, in store: some FeatureStore, date: Date = Date()) async throws(GeoError) -> Int {
        let round = (try await rounds(in: store).last?.round ?? 0) + 1
        let day = TimeText.format(date.timeIntervalSince1970)
        var features: [Feature] = []
        for grid in plan.grids {
            let centre = grid.geometry.boundingBox?.center ?? Coordinate(x: 0, y: 0)
            features.append(Feature(geometry: .point(Point(centre)), properties: ["round": .int(Int64(round)), "kind": "evaluation_grid", "code": .string(grid.code), "seed": .string(String(plan.seed)), "date": .string(day)]))
        }
        for point in plan.groups.flatMap(\.points) {
            features.append(Feature(geometry: .point(Point(point.position)), properties: ["round": .int(Int64(round)), "kind": "sample_point", "code": .string(point.id), "seed": .string(String(plan.seed)), "date": .string(day)]))
        }
        _ = try await store.importLayer(name: layerName, features: features, options: ImportOptions(mode: .append, geometryType: .point, title: "抽样历史 Sampling history"), progress: nil)
        return round
    }
}
