import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/stats`: counts (and sums) of a case layer per region of the tree, per lookup-family polygon or inside a
/// posted polygon, per day, week, month, quarter or year, with 环比 and 同比, as JSON or CSV.
struct StatisticsController {
    let tree: LayerVersionedValue<RegionTree>
    let points: PointLayers
    let families: PolygonFamilies
    let maximumBodyBytes: Int
    let maximumGeometryVertices: Int

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("stats", use: ComputePool.shared.offloaded(statisticsFromQuery))
        group.post("stats", use: ComputePool.shared.offloaded(statisticsFromBody))
    }

    /// `GET /v1/stats`.
    @Sendable func statisticsFromQuery(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = AnalysisParsing.query(request)
        return try await answer({ query[$0] }, polygon: nil)
    }

    /// `POST /v1/stats`: the same members in a JSON body, and `polygon` (a GeoJSON Polygon or MultiPolygon) for
    /// one row of the cases inside it.
    @Sendable func statisticsFromBody(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        for (member, value) in body where member != "polygon" && value != .null && value.scalarText == nil {
            throw APIError(code: .invalidArgument, message: "\(member) must be a string, number or boolean", details: ["field": .string(member)])
        }
        var polygon: Geometry?
        if let value = body["polygon"], value != .null {
            polygon = try AnalysisController.postedPolygon(value, maximumVertices: maximumGeometryVertices)
        }
        return try await answer({ body[$0]?.scalarText }, polygon: polygon)
    }

    /// Reads the parameters through `parameter`, computes the table and writes it as `format` asks.
    private func answer(_ parameter: (String) -> String?, polygon: Geometry?) async throws -> Response {
        let layer = try RequestParsing.layerName(parameter("layer") ?? "cases", field: "layer")
        let tree = try await tree.value
        var request = StatisticsRequest()
        let node = try parameter("node").map { try RegionController.node($0, family: nil, in: tree, field: "node") }
        request.node = node
        if let scope = parameter("scope") {
            guard let value = StatisticsRequest.Scope(rawValue: scope) else {
                throw APIError(code: .invalidArgument, message: "scope \"\(scope)\" is not below, self or both", details: ["field": "scope"])
            }
            request.scope = value
        }
        request.period = try Self.period(parameter("period"))
        request.from = try parameter("from").map { try RequestParsing.time($0, field: "from") }
        request.to = try parameter("to").map { try RequestParsing.time($0, field: "to") }
        request.grouping = try await grouping(level: parameter("level"), family: parameter("family"), polygon: polygon)
        do throws(GeoError) {
            let filter = try CategoryFilter(category: parameter("category"), codes: parameter("category_code"))
            request.categories = filter.isEmpty ? nil : filter
        } catch {
            throw APIError(error, field: error.location ?? "category")
        }
        request.sumField = parameter("sum").flatMap { $0.isEmpty ? nil : $0 }
        request.includeEmpty = try Self.flag(parameter("empty"), field: "empty") ?? true
        let format = parameter("format") ?? "json"
        guard ["json", "csv"].contains(format) else {
            throw APIError(code: .invalidArgument, message: "format \"\(format)\" is not json or csv", details: ["field": "format"])
        }
        let cases = try await JoinController.layerLookup(layer) { try await points.statistics(of: $0) }
        let table: StatisticsTable
        do {
            table = try RegionStatistics.compute(request, cases: cases, tree: tree)
        } catch let error as GeoError {
            throw APIError(error, field: error.location)
        }
        if format == "csv" { return JSONResponse.bytes(table.csv(), contentType: "text/csv; charset=utf-8") }
        guard case .object(var body) = table.json() else { return try JSONResponse.make(table.json()) }
        body["layer"] = .string(layer)
        body["node"] = node.map { tree.json($0) } ?? .null
        body["scope"] = .string(request.scope.rawValue)
        body["from"] = table.periods.first.map { .string(TimeText.format($0.start)) } ?? .null
        body["to"] = table.periods.last.map { .string(TimeText.format($0.end)) } ?? .null
        return try JSONResponse.make(.object(body))
    }

    /// The rows asked: `level` (a tier), `family` (a lookup family) or a posted polygon; at most one of them.
    private func grouping(level: String?, family: String?, polygon: Geometry?) async throws -> StatisticsRequest.Grouping? {
        let given = [level != nil, family != nil, polygon != nil].filter { $0 }.count
        guard given <= 1 else {
            throw APIError(code: .invalidArgument, message: "ask for one of level, family or polygon", details: ["field": level != nil ? "level" : "family"])
        }
        if let level {
            guard let tier = RegionTier(name: level) else {
                let names = RegionTier.allCases.map(\.name).joined(separator: ", ")
                throw APIError(code: .invalidArgument, message: "level \"\(level)\" is not one of \(names)", details: ["field": "level"])
            }
            return .tier(tier)
        }
        if let family {
            let indexes: [FamilyIndex]
            do {
                indexes = try await families.indexes(named: family, field: "family")
            } catch let error as GeoError {
                throw APIError(error, field: "family")
            }
            guard indexes.count == 1, let index = indexes.first else {
                throw APIError(code: .invalidArgument, message: "family must name one lookup family", details: ["field": "family"])
            }
            return .family(index)
        }
        return polygon.map { .polygon($0) }
    }

    /// `day`, `week`, `month` (default), `quarter`, `year`, or `all` for one span over the whole range.
    static func period(_ text: String?) throws -> CalendarPeriod? {
        guard let text else { return .month }
        if text == "all" { return nil }
        guard let period = CalendarPeriod(rawValue: text) else {
            throw APIError(code: .invalidArgument, message: "period \"\(text)\" is not day, week, month, quarter, year or all", details: ["field": "period"])
        }
        return period
    }

    static func flag(_ text: String?, field: String) throws -> Bool? {
        switch text {
        case nil: return nil
        case "true", "1": return true
        case "false", "0": return false
        case let other?:
            throw APIError(code: .invalidArgument, message: "\(field) must be true or false, got \"\(other)\"", details: ["field": .string(field)])
        }
    }
}
