import Foundation
import GeoAnalysis
import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// The limits of `/v1/analysis` and `/v1/route`: one request may not make the server read or compute more than
/// this (each refusal is a 400 naming the field and the maximum). Long computations also stop at the request
/// timeout (503 `timeout`): they run on ``ComputePool`` and poll its cancellation flag.
struct AnalysisLimits: Sendable {
    /// Features one input layer may hold (targets, cases, roads).
    var layerFeatures = 250_000
    /// Facilities, candidate sites, resources to dispatch.
    var facilities = 50_000
    var candidates = 20_000
    var sites = 100
    /// Features of each side of an overlay or a change detection (GEOS per pair).
    var overlayFeatures = 50_000
    /// Hexagons or density cells one request may create.
    var cells = 1_000_000
    /// Resources answered by `/v1/route/nearest`.
    var nearest = 100
    var isochroneMinutes = 120.0
    var isochroneMetres = 100_000.0
    /// How far from a road a start, an end or a resource may be snapped.
    var snapMetres = 5_000.0
}

/// The layers analyses read, kept in memory per layer version (a scale-13 city's 51,000 unit grids take a second
/// to read from SpatiaLite), and a road router per roads layer.
actor AnalysisLayerCache {
    private var layers: [String: (version: Int64, features: [Feature])] = [:]
    private var routers: [String: (version: Int64, router: RoadRouter)] = [:]
    /// Layers kept at once; the least recently read goes first.
    private let capacity = 8
    private var recent: [String] = []

    /// The features of a layer, refusing an unknown layer (404), an empty one or one over `maximum` (400), naming
    /// `field`.
    func features(_ layer: String, field: String, in store: SpatialStore, maximum: Int) async throws -> [Feature] {
        let info = try await Self.info(layer, field: field, in: store)
        guard info.featureCount > 0 else {
            throw APIError(code: .invalidArgument, message: "layer \"\(layer)\" is empty", details: ["field": .string(field)])
        }
        guard info.featureCount <= maximum else {
            throw APIError(code: .invalidArgument, message: "layer \"\(layer)\" has \(info.featureCount) features; the limit is \(maximum)",
                details: ["field": .string(field), "maximum": .int(Int64(maximum))])
        }
        touch(layer)
        if let cached = layers[layer], cached.version == info.version { return cached.features }
        let features = try await store.features(in: layer).map(\.feature)
        layers[layer] = (info.version, features)
        return features
    }

    /// The road router of a roads layer (LineStrings; `oneway`, `speed_kmh`/`maxspeed`, `kind`, `name`).
    func router(_ layer: String, field: String, in store: SpatialStore, maximum: Int) async throws -> RoadRouter {
        let roads = try await features(layer, field: field, in: store, maximum: maximum)
        let version = layers[layer]?.version ?? -1
        if let cached = routers[layer], cached.version == version { return cached.router }
        let router = try await ComputePool.shared.run { _ in RoadRouter(roads: roads) }
        guard !router.network.edges.isEmpty else {
            throw APIError(code: .invalidArgument, message: "layer \"\(layer)\" has no road lines to route on", details: ["field": .string(field)])
        }
        routers[layer] = (version, router)
        return router
    }

    private func touch(_ layer: String) {
        recent.removeAll { $0 == layer }
        recent.append(layer)
        while recent.count > capacity {
            let evicted = recent.removeFirst()
            layers[evicted] = nil
            routers[evicted] = nil
        }
    }

    private static func info(_ layer: String, field: String, in store: SpatialStore) async throws -> LayerInfo {
        guard let info = try await store.layer(named: RequestParsing.layerName(layer, field: field)) else {
            throw APIError(code: .layerNotFound, message: "no layer named \"\(layer)\"", details: ["field": .string(field)])
        }
        return info
    }
}

/// Parsing of analysis and routing input shared by the two controllers; every failure names the field.
enum AnalysisParsing {
    /// A member of a JSON body or a query parameter as text.
    static func text(_ value: JSONValue?) -> String? {
        value.map { JoinController.text($0) }
    }

    /// A required layer name from a body member.
    static func layer(_ body: [String: JSONValue], _ field: String, default fallback: String? = nil) throws -> String {
        if let value = body[field] {
            guard case .string(let name) = value, !name.isEmpty else {
                throw APIError(code: .invalidArgument, message: "\(field) must be a layer name", details: ["field": .string(field)])
            }
            return name
        }
        return try RequestParsing.required(fallback, field)
    }

    /// An optional number within a range from a body member or parameter text.
    static func number(_ value: JSONValue?, _ field: String, _ range: ClosedRange<Double>, default fallback: Double) throws -> Double {
        guard let value, value != .null else { return fallback }
        return try RequestParsing.number(JoinController.text(value), field, range)
    }

    /// An optional boolean body member.
    static func flag(_ value: JSONValue?, _ field: String) throws -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let b)?: return b
        default: throw APIError(code: .invalidArgument, message: "\(field) must be true or false", details: ["field": .string(field)])
        }
    }

    /// One of a fixed set of words.
    static func choice<T: RawRepresentable & CaseIterable>(_ text: String?, _ field: String, default fallback: T) throws -> T where T.RawValue == String {
        guard let text, !text.isEmpty else { return fallback }
        guard let value = T(rawValue: text) else {
            throw APIError(code: .invalidArgument,
                message: "\(field) \"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", details: ["field": .string(field)])
        }
        return value
    }

    /// The region level of `level` (district, street, community, unit_grid).
    static func level(_ text: String?) throws -> RegionLevel {
        switch text ?? "community" {
        case "district": .district
        case "street": .street
        case "community": .community
        case "unit_grid": .unitGrid
        case let other:
            throw APIError(code: .invalidArgument, message: "level \"\(other)\" is not district, street, community or unit_grid", details: ["field": "level"])
        }
    }

    /// Features passing an attribute filter given in `field` (all when absent).
    static func filtered(_ features: [Feature], _ filter: String?, field: String) throws -> [Feature] {
        guard let filter, !filter.isEmpty else { return features }
        let parsed: AttributeFilter
        do {
            parsed = try AttributeFilter(parsing: filter)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": .string(field)])
        }
        return features.filter { parsed.matches($0.properties) }
    }

    /// Point features' positions with their features, refusing a layer without any valid point (naming `field`).
    static func points(_ features: [Feature], field: String) throws -> [(feature: Feature, position: Coordinate)] {
        let points = features.compactMap { feature -> (Feature, Coordinate)? in
            guard case .point(let p)? = feature.geometry, p.coordinate.isValidGeographic else { return nil }
            return (feature, p.coordinate)
        }
        guard !points.isEmpty else {
            throw APIError(code: .invalidArgument, message: "\(field) has no point features", details: ["field": .string(field)])
        }
        return points
    }

    /// Cases (points) within [from, to) by their `time_field`; all when neither bound is given. Times are read
    /// (ISO 8601, or a date) only when a bound is given or `withTimes` asks for them: a quarter of a million parses
    /// cost seconds. One formatter pair per call, not per case.
    static func cases(_ features: [Feature], timeField: String, from: Date?, to: Date?, withTimes: Bool) -> [RoadSectionHotSpots.Case] {
        let full = ISO8601DateFormatter(), day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        let readTimes = withTimes || from != nil || to != nil
        return features.compactMap { feature in
            guard case .point(let p)? = feature.geometry, p.coordinate.isValidGeographic else { return nil }
            let time = readTimes ? feature.properties[timeField]?.stringValue.flatMap { full.date(from: $0) ?? day.date(from: $0) } : nil
            if from != nil || to != nil {
                guard let time else { return nil }
                if let from, time < from { return nil }
                if let to, time >= to { return nil }
            }
            return (p.coordinate, time)
        }
    }

    /// The optional `from`/`to` time range of a query, refusing an empty one.
    static func timeRange(_ query: [String: String]) throws -> (Date?, Date?) {
        let from = try query["from"].map { try JoinController.date($0, field: "from") }
        let to = try query["to"].map { try JoinController.date($0, field: "to") }
        if let from, let to, from >= to {
            throw APIError(code: .invalidArgument, message: "the time range is empty: from must be before to", details: ["field": "from"])
        }
        return (from, to)
    }

    /// A region total as the API writes it.
    static func describe(_ total: RegionTotal) -> JSONValue {
        .object([
            "code": total.code.map(JSONValue.string) ?? .null, "count": .int(Int64(total.count)), "total": .double(rounded(total.total)),
            "part": .double(rounded(total.part)), "share": .double((total.share * 1e6).rounded() / 1e6),
        ])
    }

    /// Two decimals: m² and people do not need more.
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// The query parameters as a dictionary of strings (the last value of a repeated one).
    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        return query
    }
}
