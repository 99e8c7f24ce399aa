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

extension SamplingPlan {
    /// A self-contained HTML page: the drawn evaluation grids and sample points on an SVG map (points coloured by
    /// inspector group), with the plan's record and a table of the draw.
    public func html(title: String = "综合评价抽样方案") -> String {
        let features = geoJSON().features
        var box = BoundingBox(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for feature in features { feature.geometry?.forEachCoordinate { box.expand(toInclude: $0) } }
        let width = 900.0
        let scaleX = width / max(box.width, 1e-9)
        let height = max(200, box.height * scaleX / cos(box.center.y * .pi / 180))
        func xy(_ c: Coordinate) -> String {
            let x = (c.x - box.minX) * scaleX
            let y = height - (c.y - box.minY) / max(box.height, 1e-9) * height
            return String(format: "%.1f,%.1f", x, y)
        }
        let colours = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"]
        var svg = ""
        for grid in grids {
            for polygon in grid.geometry.polygons {
                svg += "<polygon points=\"\(polygon.exterior.map(xy).joined(separator: " "))\" fill=\"#ffe08a\" fill-opacity=\"0.5\" stroke=\"#b58900\"><title>\(grid.code) \(grid.areaClass ?? "")</title></polygon>"
            }
        }
        for group in groups {
            for point in group.points {
                let parts = xy(point.position).split(separator: ",")
                svg += "<circle cx=\"\(parts[0])\" cy=\"\(parts[1])\" r=\"5\" fill=\"\(colours[(group.number - 1) % colours.count])\"><title>\(point.id) \(point.type) 第\(group.number)组</title></circle>"
            }
        }
        var rows = grids.map { "<tr><td>评价网格</td><td>\($0.code)</td><td>\($0.areaClass ?? "")</td><td></td></tr>" }
        for group in groups {
            rows += group.points.map { "<tr><td>评价点位</td><td>\($0.id)</td><td>\($0.type)</td><td>第\(group.number)组</td></tr>" }
        }
        let inputs = inputChecksums.keys.sorted().map { "\($0) \(inputChecksums[$0]!)" }.joined(separator: ", ")
        return """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>\(title)</title>
            <style>body{font:14px system-ui,sans-serif;margin:20px}table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 6px}</style></head>
            <body><h2>\(title)</h2><p>城市类别 \(cityClass) · 随机种子 \(seed) · 输入校验 \(inputs)</p>
            <svg width="\(Int(width))" height="\(Int(height))" style="border:1px solid #ccc;background:#fafafa">\(svg)</svg>
            <table><tr><th>类型</th><th>编码</th><th>类别/点位类型</th><th>考察组</th></tr>\(rows.joined())</table></body></html>
            """
    }
}
