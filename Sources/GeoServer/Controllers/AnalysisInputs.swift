import Foundation
import GeoAnalysis
import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// The limits of `/v1/analysis` and `/v1/route`: one request may not make the server read or compute more than
/// this (each refusal is a 400 naming the field and the maximum). Long computations also stop at the request
/// timeout (503 `timeout`): they run on ``ComputePool`` in the request's task and check for its cancellation.
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
/// to read from SpatiaLite), and a road router per roads layer: ``LayerVersionedValues`` of each.
final class AnalysisLayers: Sendable {
    private let layers: LayerVersionedValues<[Feature]>
    private let routers: LayerVersionedValues<RoadRouter>

    init(store: any FeatureStore, checkInterval: Duration) {
        let layers = LayerVersionedValues<[Feature]>(store: store, checkInterval: checkInterval) { store, layer in
            guard try await store.layer(named: layer) != nil else {
                throw GeoError(code: .layerNotFound, message: "no layer named \"\(layer)\"")
            }
            return try await store.features(in: layer).map(\.feature)
        }
        self.layers = layers
        // The graph of a large city takes a moment to build: off the event loops.
        routers = LayerVersionedValues(store: store, checkInterval: checkInterval) { _, layer in
            let roads = try await layers.value(of: layer)
            return try await ComputePool.shared.run { RoadRouter(roads: roads) }
        }
    }

    /// Rebuilds what was read from `layer` at its next use (the store's change feed reported a change).
    func invalidate(layer: String) {
        layers.invalidate(layer: layer)
        routers.invalidate(layer: layer)
    }

    /// The features of a layer, refusing an unknown layer (404), an empty one or one over `maximum` (400), naming
    /// `field`.
    func features(_ layer: String, field: String, maximum: Int) async throws -> [Feature] {
        let features = try await Self.named(field) { try await self.layers.value(of: RequestParsing.layerName(layer, field: field)) }
        guard !features.isEmpty else {
            throw APIError(code: .invalidArgument, message: "layer \"\(layer)\" is empty", details: ["field": .string(field)])
        }
        guard features.count <= maximum else {
            throw APIError(code: .invalidArgument, message: "layer \"\(layer)\" has \(features.count) features; the limit is \(maximum)",
                details: ["field": .string(field), "maximum": .int(Int64(maximum))])
        }
        return features
    }

    /// The road router of a roads layer (LineStrings; `oneway`, `speed_kmh`/`maxspeed`, `kind`, `name`).
    func router(_ layer: String, field: String, maximum: Int) async throws -> RoadRouter {
        _ = try await features(layer, field: field, maximum: maximum)
        let router = try await Self.named(field) { try await self.routers.value(of: layer) }
        guard !router.network.edges.isEmpty else {
            throw APIError(code: .invalidArgument, message: "layer \"\(layer)\" has no road lines to route on", details: ["field": .string(field)])
        }
        return router
    }

    /// Runs `body`, naming `field` in a missing layer's 404.
    private static func named<T>(_ field: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as GeoError where error.code == .layerNotFound {
            throw APIError(error, field: field)
        }
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
