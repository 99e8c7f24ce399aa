import Foundation
import GeoCore

/// Fences as GeoJSON Features: the shape is the geometry, everything else the properties (the same names as
/// ``Fence``'s fields), so that map tools can draw and edit them.
extension Fence {
    /// The properties a fence feature may carry; all optional, checked by ``Fence/validate()`` afterwards.
    private struct Properties: Decodable {
        var id: String?
        var name: String?
        var version: Int?
        var kind: FenceKind?
        var role: FenceRole?
        var corridorWidthMetres: Double?
        var radiusMetres: Double?
        var speedLimitKmh: Double?
        var speedLimitsByClass: [String: Double]?
        var schedule: TimeWindow?
        var appliesTo: VehicleSelector?
    }

    /// A fence from a Feature. The kind follows the geometry (Polygon/MultiPolygon: area, LineString:
    /// corridor, Point: collection point) unless `kind` says otherwise; the id is `properties.id`, else the
    /// feature id.
    public init(feature: Feature) throws(GeoError) {
        let properties: Properties
        do {
            let bytes = try JSON.encodeBytes(.object(feature.properties))
            properties = try JSONDecoder().decode(Properties.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw GeoError(
                code: .invalidFence, message: "fence properties: \(Self.describe(error))",
                location: "properties" + Self.path(of: error))
        } catch {
            throw GeoError(code: .invalidFence, message: "fence properties: \(error)", location: "properties")
        }
        let featureId: String? =
            switch feature.id {
            case .string(let s): s
            case .int(let i): String(i)
            case nil: nil
            }
        guard let id = properties.id ?? featureId else {
            throw GeoError(code: .invalidFence, message: "a fence needs an id (properties.id or the feature id)", location: "properties.id")
        }
        guard let geometry = feature.geometry else {
            throw GeoError(code: .invalidFence, message: "fence \(id) has no geometry", location: "geometry")
        }
        // A width or radius given must be usable whatever the kind: a 0 on an area is a mistake, not a no-op.
        for (name, value) in [("corridorWidthMetres", properties.corridorWidthMetres), ("radiusMetres", properties.radiusMetres)] {
            if let value, !(value > 0 && value.isFinite) {
                throw GeoError(code: .invalidFence, message: "fence \(id): \(name) must be a positive number of metres, got \(value)",
                    location: "properties.\(name)")
            }
        }
        var fence = Fence(
            id: id, name: properties.name ?? "", version: properties.version ?? 1, kind: .area, role: properties.role,
            speedLimitKmh: properties.speedLimitKmh, speedLimitsByClass: properties.speedLimitsByClass ?? [:],
            schedule: properties.schedule, appliesTo: properties.appliesTo ?? .all)
        switch geometry {
        case .polygon, .multiPolygon:
            fence.kind = .area
            fence.polygons = geometry.polygons.map(\.rings)
        case .lineString(let line):
            fence.kind = .corridor
            fence.line = line.coordinates
            fence.corridorWidthMetres = properties.corridorWidthMetres ?? 0
        case .point(let point):
            fence.kind = .collectionPoint
            fence.center = point.coordinate
            fence.radiusMetres = properties.radiusMetres ?? 0
        default:
            throw GeoError(
                code: .invalidFence, message: "fence \(id): a \(geometry.type.rawValue) cannot be a fence (Polygon, MultiPolygon, LineString or Point)",
                location: "geometry")
        }
        if let kind = properties.kind, kind != fence.kind {
            throw GeoError(code: .invalidFence, message: "fence \(id): kind \(kind.rawValue) does not match its \(geometry.type.rawValue) geometry", location: "properties.kind")
        }
        try fence.validate()
        try fence.validateShape()
        self = fence
    }

    /// The fence as a Feature (id = fence id).
    public var feature: Feature {
        var properties: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "version": .int(Int64(version)), "kind": .string(kind.rawValue),
        ]
        if let role { properties["role"] = .string(role.rawValue) }
        if kind == .corridor { properties["corridorWidthMetres"] = .double(corridorWidthMetres) }
        if kind == .collectionPoint { properties["radiusMetres"] = .double(radiusMetres) }
        if let speedLimitKmh { properties["speedLimitKmh"] = .double(speedLimitKmh) }
        if !speedLimitsByClass.isEmpty {
            properties["speedLimitsByClass"] = .object(speedLimitsByClass.mapValues { .double($0) })
        }
        if let schedule {
            properties["schedule"] = .object([
                "weekdays": .array(schedule.weekdays.map { .int(Int64($0)) }), "startMinute": .int(Int64(schedule.startMinute)),
                "endMinute": .int(Int64(schedule.endMinute)), "utcOffsetSeconds": .int(Int64(schedule.utcOffsetSeconds)),
            ])
        }
        properties["appliesTo"] = .object([
            "vehicles": .array(appliesTo.vehicles.map { .string($0) }), "groups": .array(appliesTo.groups.map { .string($0) }),
            "classes": .array(appliesTo.classes.map { .string($0) }),
        ])
        return Feature(id: .string(id), geometry: geometry, properties: properties)
    }

    private static func path(of error: DecodingError) -> String {
        let path: [any CodingKey] =
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c.codingPath
            case .keyNotFound(let key, let c): c.codingPath + [key]
            @unknown default: []
            }
        return path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "missing \(type) value"
        case .keyNotFound(let key, _): "missing \(key.stringValue)"
        case .dataCorrupted(let c): c.debugDescription
        @unknown default: "\(error)"
        }
    }
}
