import Foundation
import GeoCore

/// The view of a printed map: a box around what a page draws, with a margin, projected equirectangularly (x
/// shrunk by the cosine of the middle latitude, so that a metre is as long east-west as north-south).
public struct PlanMapFrame: Hashable, Sendable {
    /// The box the map shows.
    public let box: BoundingBox
    public let width: Double
    public let height: Double

    /// A frame holding `coordinates` with `margin` (a share of the span) on every side, at least `minimumMetres`
    /// across so that a single site still shows its streets, drawn `width` units wide.
    public init?(fitting coordinates: [Coordinate], width: Double = 900, margin: Double = 0.08, minimumMetres: Double = 300) {
        guard let tight = BoundingBox(coordinates: coordinates) else { return nil }
        let cosine = cos(tight.center.y * .pi / 180)
        let minimumLatitude = minimumMetres / 111_320, minimumLongitude = minimumLatitude / max(cosine, 0.01)
        let halfWidth = max(tight.width, minimumLongitude) * (0.5 + margin)
        let halfHeight = max(tight.height, minimumLatitude) * (0.5 + margin)
        box = BoundingBox(
            minX: tight.center.x - halfWidth, minY: tight.center.y - halfHeight, maxX: tight.center.x + halfWidth, maxY: tight.center.y + halfHeight)
        self.width = width
        height = (width * box.height / (box.width * cosine)).rounded()
    }

    /// The drawing position of a coordinate (y grows downwards).
    public func position(of c: Coordinate) -> (x: Double, y: Double) {
        ((c.x - box.minX) / box.width * width, (box.maxY - c.y) / box.height * height)
    }

    func points(_ coordinates: [Coordinate]) -> String {
        coordinates.map { c in
            let p = position(of: c)
            return String(format: "%.1f,%.1f", p.x, p.y)
        }.joined(separator: " ")
    }
}

extension SamplingPlan {
    /// The printable plan (`sample plan --html`): a first page with every group's sites and route over the roads,
    /// fitted to what was drawn, and the draw's record and table; then one page per inspector group, fitted to its
    /// sites, with its route in visiting order and the list of stops to tick off. `roads` are the centre lines
    /// drawn under the sites (the store's `roads` layer).
    public func html(roads: [Feature] = [], title: String = "综合评价抽样方案") -> String {
        var pages: [String] = []
        let everything = grids.flatMap { Self.coordinates(of: $0.geometry) } + groups.flatMap { $0.points.flatMap(Self.drawnCoordinates) }
        let inputs = inputChecksums.keys.sorted().map { "\($0) \(inputChecksums[$0]!)" }.joined(separator: ", ")
        var overview = "<h1>\(escaped(title))</h1><p>城市类别 \(cityClass) · 随机种子 \(seed) · 输入校验 \(escaped(inputs))</p>"
        if let frame = PlanMapFrame(fitting: everything) {
            overview += svg(frame, roads: roads, groups: groups, showGrids: true)
        }
        var rows = grids.map { "<tr><td>评价网格</td><td>\($0.code)</td><td>\($0.areaClass ?? "")</td><td></td></tr>" }
        for group in groups {
            rows += group.points.map { "<tr><td>评价点位</td><td>\(escaped($0.id))</td><td>\(escaped($0.type))</td><td>第\(group.number)组</td></tr>" }
        }
        overview += "<table><tr><th>类型</th><th>编码</th><th>类别/点位类型</th><th>考察组</th></tr>\(rows.joined())</table>"
        pages.append(overview)
        for group in groups {
            let stops = group.visitOrder
            var page = "<h2>第\(group.number)组 · \(stops.count) 个点位 · 路线约 \(Int(group.routeMetres.rounded())) 米</h2>"
            if let frame = PlanMapFrame(fitting: stops.flatMap(Self.drawnCoordinates)) {
                page += svg(frame, roads: roads, groups: [group], showGrids: false)
            }
            let lines = stops.enumerated().map { k, stop in
                "<tr><td>\(k + 1)</td><td>\(escaped(stop.id))</td><td>\(escaped(stop.type))</td><td>\(escaped(stop.name))</td><td>\(stop.streetCode)</td>"
                    + String(format: "<td>%.6f, %.6f</td>", stop.position.x, stop.position.y) + "<td class=\"tick\"></td></tr>"
            }
            page += "<table><tr><th>序号</th><th>编码</th><th>类型</th><th>名称</th><th>街道</th><th>经纬度</th><th>检查记录</th></tr>\(lines.joined())</table>"
            pages.append(page)
        }
        return """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>\(escaped(title))</title>
            <style>body{font:13px system-ui,sans-serif;margin:20px}table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #999;padding:2px 6px}\
            svg{border:1px solid #ccc;background:#fbfbf8;max-width:100%;height:auto}.tick{width:120px}\
            @page{size:A4;margin:12mm}@media print{.page{break-before:page}body{margin:0}}</style></head><body>
            \(pages.enumerated().map { "<section class=\"\($0.offset == 0 ? "overview" : "page")\">\($0.element)</section>" }.joined(separator: "\n"))
            </body></html>
            """
    }

    static let groupColours = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"]

    /// The coordinates a site draws: its shape's, or its point.
    static func drawnCoordinates(_ site: SamplePointCandidate) -> [Coordinate] {
        site.geometry.map(coordinates(of:)) ?? [site.position]
    }

    /// A map: roads in the frame, then (on the overview) the drawn evaluation grids, then each group's sites, route
    /// in visiting order and numbered stops.
    private func svg(_ frame: PlanMapFrame, roads: [Feature], groups: [InspectorAssignment.Group], showGrids: Bool) -> String {
        var svg = ""
        for road in roads {
            guard let geometry = road.geometry, let box = geometry.boundingBox, box.intersects(frame.box) else { continue }
            for line in Self.lines(of: geometry) {
                svg += "<polyline points=\"\(frame.points(line))\" fill=\"none\" stroke=\"#b8b8b8\" stroke-width=\"3\"><title>\(escaped(road.properties["name"]?.scalarText ?? ""))</title></polyline>"
            }
        }
        if showGrids {
            for grid in grids {
                for polygon in grid.geometry.polygons {
                    svg += "<polygon points=\"\(frame.points(polygon.exterior))\" fill=\"#ffe08a\" fill-opacity=\"0.45\" stroke=\"#b58900\"><title>\(grid.code) \(grid.areaClass ?? "")</title></polygon>"
                }
            }
        }
        for group in groups {
            let colour = Self.groupColours[(group.number - 1) % Self.groupColours.count]
            let stops = group.visitOrder
            for stop in stops {
                guard let geometry = stop.geometry else { continue }
                for polygon in geometry.polygons {
                    svg += "<polygon points=\"\(frame.points(polygon.exterior))\" fill=\"\(colour)\" fill-opacity=\"0.2\" stroke=\"\(colour)\"/>"
                }
                for line in Self.lines(of: geometry) {
                    svg += "<polyline points=\"\(frame.points(line))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"5\" stroke-opacity=\"0.6\"/>"
                }
            }
            svg += "<polyline class=\"route\" points=\"\(frame.points(stops.map(\.position)))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
            for (k, stop) in stops.enumerated() {
                let p = frame.position(of: stop.position)
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"%@\"><title>", p.x, p.y, colour)
                    + "\(escaped(stop.id)) \(escaped(stop.type)) 第\(group.number)组</title></circle>"
                    + String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#fff\">%d</text>", p.x, p.y + 4, k + 1)
            }
        }
        return "<svg viewBox=\"0 0 \(Int(frame.width)) \(Int(frame.height))\" width=\"\(Int(frame.width))\" height=\"\(Int(frame.height))\">\(svg)</svg>"
    }

    static func coordinates(of geometry: Geometry) -> [Coordinate] {
        var all: [Coordinate] = []
        geometry.forEachCoordinate { all.append($0) }
        return all
    }

    /// The line strings of a geometry.
    static func lines(of geometry: Geometry) -> [[Coordinate]] {
        switch geometry {
        case .lineString(let line): [line.coordinates]
        case .multiLineString(let lines): lines.lineStrings.map(\.coordinates)
        default: []
        }
    }

    private func escaped(_ text: String) -> String { HTMLText.escape(text) }
}
