import Hummingbird

/// A capability an API key may be granted. A request needs the scope of its route (``RouteScopes``); the
/// `admin` scope grants every other one.
public enum AccessScope: String, CaseIterable, Sendable, Comparable {
    /// Address matching: forward, reverse, autocomplete, batch.
    case geocode
    /// Reads and analyses of city data: locate, joins, layers, sampling, fences and events read, trajectories read.
    case joins
    /// Creating, replacing and deleting fences; the vehicle registry.
    case fencesWrite = "fences:write"
    /// Position ingest: fence checks and trajectory fixes.
    case positionsWrite = "positions:write"
    /// Vector tiles, their catalogue and the map page.
    case tiles
    /// Everything, plus metrics, the audit log and key management.
    case admin

    public static func < (lhs: AccessScope, rhs: AccessScope) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a comma-separated scope list (`geocode,tiles`); `all` stands for every scope.
    public static func parseList(_ text: String) throws(ScopeListError) -> Set<AccessScope> {
        var scopes: Set<AccessScope> = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            if name == "all" {
                scopes.formUnion(allCases)
            } else if let scope = AccessScope(rawValue: name) {
                scopes.insert(scope)
            } else {
                throw ScopeListError(name: name)
            }
        }
        return scopes
    }
}

/// A scope name that is not one of ``AccessScope``.
public struct ScopeListError: Error, CustomStringConvertible, Sendable {
    public let name: String
    public var description: String {
        "unknown scope '\(name)'; scopes are \(AccessScope.allCases.map(\.rawValue).joined(separator: ", ")) or all"
    }
}

/// Which scope each route needs. One table, so that the access middleware, the OpenAPI document's
/// `x-citygeo-scope` and the tests agree; a route missing here needs `admin` (closed by default).
public enum RouteScopes {
    /// The routes anyone may call: liveness, readiness and the API description.
    public static let open: Set<String> = [
        "GET /health", "GET /ready", "GET /openapi.json",
        // What an OGC client reads before it asks for data: the landing page, the conformance classes, the tiling scheme.
        "GET /ogc", "GET /ogc/api", "GET /ogc/conformance", "GET /ogc/tileMatrixSets", "GET /ogc/tileMatrixSets/{tileMatrixSetId}",
    ]

    /// `"METHOD /path/{param}"` → scope, for every route but the open ones.
    public static let table: [String: AccessScope] = [
        // Map clients.
        "GET /": .tiles, "GET /preview": .tiles, "GET /vendor/{file}": .tiles,
        "GET /tiles/catalog": .tiles, "GET /tiles/changes": .tiles, "GET /tiles/{source}": .tiles,
        "GET /tiles/{source}/{z}/{x}/{y}": .tiles,
        "GET /ogc/collections/{collectionId}/tiles": .tiles, "GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}": .tiles,
        // Case intake: geocoding.
        "GET /v1/geocode": .geocode, "GET /v1/reverse": .geocode, "GET /v1/autocomplete": .geocode,
        "POST /v1/geocode/batch": .geocode,
        // Case intake and analysts: reads and joins.
        "GET /v1/layers": .joins, "GET /v1/layers/{name}": .joins, "GET /v1/layers/{name}/features": .joins,
        "GET /v1/locate": .joins, "POST /v1/locate/batch": .joins, "GET /v1/grids/check": .joins,
        "GET /v1/grids/stats": .joins, "GET /v1/nearest": .joins, "GET /v1/within": .joins, "POST /v1/within": .joins,
        "POST /v1/cases/duplicates": .joins, "GET /v1/aggregate": .joins, "GET /v1/heat": .joins,
        "POST /v1/sampling": .joins,
        "GET /v1/regions": .joins, "GET /v1/regions/{code}": .joins, "GET /v1/stats": .joins, "POST /v1/stats": .joins,
        "GET /v1/families": .joins,
        // GIS desktops and servers: the layers as OGC API - Features collections.
        "GET /ogc/collections": .joins, "GET /ogc/collections/{collectionId}": .joins, "GET /ogc/collections/{collectionId}/items": .joins,
        "GET /ogc/collections/{collectionId}/items/{featureId}": .joins,
        // Planners and command centres: spatial analysis and routing (reads only).
        "POST /v1/analysis/coverage": .joins, "POST /v1/analysis/sites": .joins, "POST /v1/analysis/overlay": .joins,
        "POST /v1/analysis/changes": .joins, "GET /v1/analysis/hotspots/roads": .joins, "GET /v1/analysis/hotspots/times": .joins,
        "GET /v1/analysis/gistar": .joins, "GET /v1/analysis/density": .joins,
        "GET /v1/route": .joins, "GET /v1/route/nearest": .joins, "GET /v1/route/isochrone": .joins,
        "GET /v1/fences": .joins, "GET /v1/fences/{id}": .joins, "GET /v1/vehicles": .joins,
        "GET /v1/events": .joins, "GET /v1/events/stream": .joins,
        "GET /v1/trajectories/passed": .joins, "POST /v1/trajectories/compare": .joins,
        "GET /v1/trajectories/coverage": .joins, "GET /v1/trajectories/{vehicle}": .joins,
        "GET /v1/trajectories/{vehicle}/report": .joins,
        // Fence administration.
        "POST /v1/fences": .fencesWrite, "PUT /v1/fences/{id}": .fencesWrite, "DELETE /v1/fences/{id}": .fencesWrite,
        "PUT /v1/vehicles": .fencesWrite,
        // Vehicle monitors.
        "POST /v1/positions": .positionsWrite, "POST /v1/trajectories/points": .positionsWrite,
        // Operators.
        "GET /metrics": .admin, "GET /v1/audit": .admin, "GET /v1/audit/counts": .admin,
        "PUT /v1/families/{layer}": .admin, "DELETE /v1/families/{layer}": .admin,
        // Layers a city edits by hand, one item at a time (OGC API - Features Part 4).
        "POST /ogc/collections/{collectionId}/items": .admin, "PUT /ogc/collections/{collectionId}/items/{featureId}": .admin,
        "DELETE /ogc/collections/{collectionId}/items/{featureId}": .admin,
    ]

    /// The key of a route in ``table``: its method and its path pattern as the router holds it.
    public static func key(method: HTTPRequest.Method, path: String) -> String {
        "\(method.rawValue) \(path.hasPrefix("/") ? path : "/" + path)"
    }

    /// The methods routed at a concrete path (`/v1/fences/F1` → DELETE, GET, PUT), sorted; empty when no route's
    /// pattern matches it. A request with another method is answered 405 with these in `Allow`.
    ///
    /// As in the router, a literal segment wins over a parameter: `/v1/trajectories/compare` is the POST-only
    /// comparison, not the playback `GET /v1/trajectories/{vehicle}` of a vehicle named "compare".
    public static func allowedMethods(at path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let matching = routePatterns.filter { pattern in
            pattern.segments.count == segments.count
                && zip(pattern.segments, segments).allSatisfy { p, s in p.hasPrefix("{") ? !s.isEmpty : p == s }
        }
        // Literal segments first, position by position: the most specific patterns are the route.
        let specificity = { (pattern: (method: String, segments: [Substring])) in pattern.segments.map { !$0.hasPrefix("{") } }
        guard let best = matching.map(specificity).max(by: { $0.lexicographicallyPrecedes($1) { !$0 && $1 } }) else { return [] }
        return Set(matching.filter { specificity($0) == best }.map(\.method)).sorted()
    }

    /// Every route key split into its method and path segments, for ``allowedMethods(at:)``.
    private static let routePatterns: [(method: String, segments: [Substring])] = (Array(table.keys) + open).map { key in
        let parts = key.split(separator: " ", maxSplits: 1)
        return (String(parts[0]), Array(parts[1].split(separator: "/", omittingEmptySubsequences: false).dropFirst()))
    }

    /// The scope a route needs: nil for the open routes, `admin` for a route nobody classified.
    public static func scope(method: HTTPRequest.Method, path: String) -> AccessScope? {
        let key = key(method: method, path: path)
        if open.contains(key) { return nil }
        return table[key] ?? .admin
    }

    /// Whether requests to a route go to the audit log: every route that changes stored data (fences, the
    /// vehicle registry, positions and fixes, administration). Reads, even by POST (locate/batch, within,
    /// sampling, geocode/batch), change nothing and are not logged.
    public static func isAudited(method: HTTPRequest.Method, scope: AccessScope) -> Bool {
        switch scope {
        case .fencesWrite, .positionsWrite: true
        case .admin: method != .get && method != .head
        case .geocode, .joins, .tiles: false
        }
    }
}
