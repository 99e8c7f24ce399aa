import Foundation
import GeoCore
@testable import GeoServer
import GeoStore
import Hummingbird
import Logging
import HummingbirdTesting
import Testing

/// The OpenAPI document served at /openapi.json against the router it describes: the same routes, the scopes of
/// ``RouteScopes``, every path parameter declared, a success and (for input) an error answer per operation, and
/// no dangling `$ref`. Then a few bad requests to show that errors are the documented `{code, message, details}`
/// naming the field.
@Suite struct OpenAPIContractTests {
    /// Routes the document describes that the router does not have yet: readiness, metrics and the audit log are
    /// being added on main together with API keys. Empty this list when they are merged; the test then holds the
    /// document and the router exactly equal.
    static let routesBeingAdded: Set<String> = []

    /// A route as ``RouteScopes`` keys it, `"GET /v1/layers/{name}"`: Hummingbird prints router paths with
    /// `{name}` parameters, as OpenAPI writes them, so both sides need only the method prefixed.
    static func key(_ method: String, _ path: String) -> String { "\(method.uppercased()) \(path)" }

    /// The parameter names of a path (`{name}` or `:name` segments).
    static func pathParameters(_ path: String) -> Set<String> {
        Set(
            path.split(separator: "/").compactMap { segment -> String? in
                if segment.hasPrefix(":") { return String(segment.dropFirst()) }
                if segment.hasPrefix("{"), segment.hasSuffix("}") { return String(segment.dropFirst().dropLast()) }
                return nil
            })
    }

    /// The router's routes as keys, and the document as the app serves it (status, content type, bytes).
    static func routesAndDocument() async throws -> (routes: Set<String>, status: HTTPResponse.Status, contentType: String?, body: [UInt8]) {
        let store = try await LocateEndpointTests.makeStore()
        let router = try await buildRouter(store: store, configuration: ServerConfiguration(databasePath: nil))
        let routes = Set(router.routes.map { key($0.method.rawValue, $0.path.description) })
        let (status, contentType, body) = try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            return (response.status, response.headers[.contentType], Array(response.body.readableBytesView))
        }
        return (routes, status, contentType, body)
    }

    static func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

    /// Every operation of the document: key, path, method and the operation object.
    static func operations(_ document: [String: Any]) -> [(key: String, path: String, operation: [String: Any])] {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var result: [(String, String, [String: Any])] = []
        for (path, item) in object(document["paths"]) {
            for (method, operation) in object(item) where methods.contains(method) {
                result.append((key(method, path), path, object(operation)))
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// Resolves a local `$ref` (`#/components/schemas/Error`) to its target, nil when it points nowhere.
    static func resolve(_ reference: String, in document: [String: Any]) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") {
            let name = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = (node as? [String: Any])?[name]
        }
        return node
    }

    /// Every `$ref` string anywhere below `value`.
    static func references(in value: Any) -> [String] {
        if let object = value as? [String: Any] {
            let own: [String] = (object["$ref"] as? String).map { [$0] } ?? []
            return own + object.values.flatMap(references)
        }
        if let array = value as? [Any] { return array.flatMap(references) }
        return []
    }

    /// The parameters of an operation with `$ref`s resolved, plus those of its path item.
    static func parameters(of operation: [String: Any], pathItem: [String: Any], document: [String: Any]) -> [[String: Any]] {
        let all = (pathItem["parameters"] as? [Any] ?? []) + (operation["parameters"] as? [Any] ?? [])
        return all.map { item in
            let parameter = object(item)
            if let reference = parameter["$ref"] as? String { return object(resolve(reference, in: document)) }
            return parameter
        }
    }

    @Test func theDocumentDescribesExactlyTheRouter() async throws {
        let (routes, status, contentType, body) = try await Self.routesAndDocument()
        #expect(status == .ok)
        #expect(contentType?.hasPrefix("application/json") == true)
        let document = Self.object(try JSONSerialization.jsonObject(with: Data(body)))
        #expect(document["openapi"] as? String == "3.1.0")

        let documented = Set(Self.operations(document).map(\.key))
        let missing = routes.subtracting(documented).sorted()
        let extra = documented.subtracting(routes).subtracting(Self.routesBeingAdded).sorted()
        #expect(missing.isEmpty, "routes of the router missing from openapi.json: \(missing)")
        #expect(extra.isEmpty, "operations of openapi.json the router does not have: \(extra)")
        // A route in the waiting list that the router now has should leave the list.
        let arrived = Self.routesBeingAdded.intersection(routes).sorted()
        #expect(arrived.isEmpty, "now in the router, remove from routesBeingAdded: \(arrived)")
        #expect(Self.routesBeingAdded.isSubset(of: documented))
    }

    @Test func everyOperationIsComplete() async throws {
        let (_, _, _, body) = try await Self.routesAndDocument()
        let document = Self.object(try JSONSerialization.jsonObject(with: Data(body)))
        let paths = Self.object(document["paths"])
        let operations = Self.operations(document)
        #expect(operations.count >= 40)
        var operationIds: Set<String> = []
        for (key, path, operation) in operations {
            // Scope: the one of RouteScopes; none and no security on the open routes.
            let scope = operation["x-citygeo-scope"] as? String
            if RouteScopes.open.contains(key) {
                #expect(scope == nil, "\(key) is open but has x-citygeo-scope \(scope ?? "")")
                #expect(operation["security"] == nil, "\(key) is open but has a security requirement")
            } else {
                #expect(RouteScopes.table[key] != nil, "\(key) is not in RouteScopes.table (it would need admin)")
                #expect(scope == RouteScopes.table[key]?.rawValue, "\(key): x-citygeo-scope \(scope ?? "none"), RouteScopes \(RouteScopes.table[key]?.rawValue ?? "none")")
                let security = operation["security"] as? [[String: Any]] ?? []
                let schemes = Set(security.flatMap(\.keys))
                #expect(schemes == ["bearerAuth", "apiKeyHeader"], "\(key): security \(schemes.sorted())")
            }
            for field in ["summary", "description", "operationId"] {
                #expect((operation[field] as? String)?.isEmpty == false, "\(key) has no \(field)")
            }
            if let id = operation["operationId"] as? String {
                #expect(operationIds.insert(id).inserted, "operationId \(id) twice")
            }
            #expect((operation["tags"] as? [String])?.isEmpty == false, "\(key) has no tag")

            // Every path parameter of the route is declared, as a required path parameter.
            let declared = Self.parameters(of: operation, pathItem: Self.object(paths[path]), document: document)
            let declaredInPath = Set(declared.filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
            #expect(declaredInPath == Self.pathParameters(path), "\(key): path parameters \(declaredInPath.sorted())")
            for parameter in declared where parameter["in"] as? String == "path" {
                #expect(parameter["required"] as? Bool == true, "\(key): path parameter \(parameter["name"] ?? "") not required")
            }

            // A success, and for input an error answer with the Error body.
            let responses = Self.object(operation["responses"])
            #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(key) has no 2xx response")
            let takesInput = operation["requestBody"] != nil || !declared.isEmpty
            if takesInput {
                let errorResponses = responses.filter { $0.key.hasPrefix("4") && $0.key != "401" && $0.key != "403" && $0.key != "429" }
                #expect(!errorResponses.isEmpty, "\(key) takes input but documents no 4xx for it")
                for (status, response) in errorResponses {
                    var answer = Self.object(response)
                    if let reference = answer["$ref"] as? String { answer = Self.object(Self.resolve(reference, in: document)) }
                    let schema = Self.object(Self.object(Self.object(answer["content"])["application/json"])["schema"])
                    #expect(schema["$ref"] as? String == "#/components/schemas/Error", "\(key) \(status) is not the Error body")
                }
            }
        }
    }

    /// Every error code of the one enum is in the document with the one status the server answers it with.
    @Test func everyErrorCodeIsDocumentedWithItsOneStatus() async throws {
        let (_, _, _, body) = try await Self.routesAndDocument()
        let document = Self.object(try JSONSerialization.jsonObject(with: Data(body)))
        let error = Self.object(Self.resolve("#/components/schemas/Error", in: document))
        let documented = (error["x-citygeo-status"] as? [String: Any] ?? [:]).mapValues { ($0 as? NSNumber)?.intValue ?? -1 }
        let served = Dictionary(uniqueKeysWithValues: GeoError.Code.allCases.map { ($0.rawValue, Int(APIError.status(for: $0).code)) })
        #expect(documented == served)
        let listed = Self.object(Self.object(error["properties"])["code"])["enum"] as? [String] ?? []
        #expect(Set(listed) == Set(served.keys))
        #expect(served["invalid_csv"] == 422 && served["invalid_argument"] == 400 && served["layer_not_found"] == 404)
    }

    @Test func everyReferenceResolvesAndTheErrorBodyIsCodeMessageDetails() async throws {
        let (_, _, _, body) = try await Self.routesAndDocument()
        let document = Self.object(try JSONSerialization.jsonObject(with: Data(body)))
        let references = Self.references(in: document)
        #expect(references.count > 100)
        let dangling = Set(references.filter { Self.resolve($0, in: document) == nil }).sorted()
        #expect(dangling.isEmpty, "unresolved $ref: \(dangling)")

        let error = Self.object(Self.resolve("#/components/schemas/Error", in: document))
        #expect(Set(Self.object(error["properties"]).keys) == ["code", "message", "details"])
        #expect(Set(error["required"] as? [String] ?? []) == ["code", "message", "details"])
        let schemes = Self.object(Self.object(document["components"])["securitySchemes"])
        #expect(Self.object(schemes["bearerAuth"])["scheme"] as? String == "bearer")
        #expect(Self.object(schemes["apiKeyHeader"])["name"] as? String == "X-API-Key")
    }

    /// Bad requests to different endpoints: the status the document promises, a body of exactly code, message and
    /// details, and `details.field` naming the input at fault.
    @Test(arguments: [
        (HTTPRequest.Method.get, "/v1/locate?lon=east&lat=33.1", nil as String?, HTTPResponse.Status.badRequest, "invalid_coordinate", "lon"),
        (.get, "/v1/reverse?lon=120.4&lat=95", nil, .badRequest, "invalid_coordinate", "lon/lat"),
        (.get, "/v1/geocode?limit=3", nil, .badRequest, "invalid_argument", "q"),
        (.get, "/v1/nearest?layer=nope&lon=120.4&lat=33.1", nil, .notFound, "layer_not_found", "layer"),
        (.get, "/v1/nearest?layer=No%20Such&lon=120.4&lat=33.1", nil, .unprocessableContent, "invalid_layer_name", "layer"),
        (.get, "/v1/layers/nope/features", nil, .notFound, "layer_not_found", "name"),
        (.get, "/v1/layers/Bad%20Name", nil, .unprocessableContent, "invalid_layer_name", "name"),
        (.get, "/v1/layers/unit_grids/features?bbox=121,33,120,34", nil, .badRequest, "invalid_bbox", "bbox"),
        (.get, "/v1/trajectories/coverage?from=2026-11-23T00:00&to=2026-11-24T00:00&layer=nope", nil, .notFound, "layer_not_found", "layer"),
        (.get, "/tiles/unit_grids/14/13673/6588.png", nil, .badRequest, "invalid_tile", "y"),
        (.get, "/tiles/unit_grids", nil, .notFound, "not_found", "source"),
        (.post, "/v1/locate/batch", #"{"points": [[120.4, 33.1],"#, .unprocessableContent, "invalid_json", "body"),
        (.post, "/v1/within", #"{"layer": "unit_grids"}"#, .badRequest, "invalid_argument", "polygon"),
        (.post, "/v1/positions", #"{"positions": [{"vehicle_id": "T1", "time": 0, "lon": "east", "lat": 33.1}]}"#, .unprocessableContent, "invalid_track_point", "positions[0].lon"),
        (.post, "/v1/fences", #"{"type": "Feature", "geometry": {"type": "Point"}, "properties": {"id": "p"}}"#, .unprocessableContent, "invalid_geojson", "geometry.coordinates"),
        // Absurd times stopped the server (found by schemathesis): an event id or a day number overflowed.
        (.post, "/v1/positions", #"{"positions": [{"vehicle_id": "T1", "time": 1e300, "lon": 120.46, "lat": 33.2}]}"#, .badRequest, "invalid_time", "positions[0].time"),
        (.post, "/v1/trajectories/points", "vehicle,time,lon,lat\nT1,1e300,120.46,33.2\n", .badRequest, "invalid_time", "body"),
        (.get, "/v1/trajectories/passed?lon=120.46&lat=33.2&from=1e300&to=1e300", nil, .badRequest, "invalid_time", "from"),
        // Members of the wrong type were silently ignored (found by schemathesis).
        (.post, "/v1/locate/batch", #"{"points": [[120.4, 33.1]], "fields": {}}"#, .badRequest, "invalid_argument", "fields"),
        (.post, "/v1/positions", #"{"positions": [], "flush": {}}"#, .badRequest, "invalid_argument", "flush"),
        (.post, "/v1/sampling", #"{"seed": 1, "points": {}, "quota": {}}"#, .badRequest, "invalid_argument", "quota"),
        // A non-string group was silently dropped (found by schemathesis).
        (.put, "/v1/vehicles", #"[{"id": "苏J12345", "class": "muck", "group": {}}]"#, .badRequest, "invalid_argument", "[0].group"),
        (.post, "/v1/trajectories/points", "vehicle,time,lon,lat\nT1,2026-11-23T08:00:00+08:00,120.4,north\n", .unprocessableContent, "invalid_track_point", "body"),
        // The document forbids these and the server took them (found by schemathesis).
        (.post, "/v1/trajectories/points", "", .badRequest, "invalid_argument", "body"),
        (.get, "/v1/grids/check?format=xml", nil, .badRequest, "invalid_argument", "format"),
        (.post, "/v1/locate/batch", #"{"points": [[120.4, 33.1, 0, 0]]}"#, .badRequest, "invalid_coordinate", "points[0]"),
        (.post, "/v1/locate/batch", #"{"points": [[120.4, 33.1]], "crs": {}}"#, .badRequest, "invalid_crs", "crs"),
        (.post, "/v1/sampling", #"{"seed": 1, "points": {}, "within_drawn_grids": {}}"#, .badRequest, "invalid_argument", "within_drawn_grids"),
        (.post, "/v1/sampling", #"{"seed": 1, "points": {}, "record": "yes"}"#, .badRequest, "invalid_argument", "record"),
        (.post, "/v1/sampling", #"{"seed": 1, "points": {}, "spacing_m": "far"}"#, .badRequest, "invalid_argument", "spacing_m"),
        (.post, "/v1/sampling", #"{"seed": 1, "points": {}, "format": {}}"#, .badRequest, "invalid_argument", "format"),
    ])
    func badRequestsAnswerTheErrorBodyNamingTheField(
        method: HTTPRequest.Method, uri: String, body: String?, status: HTTPResponse.Status, code: String, field: String
    ) async throws {
        // Every request here is refused: they share one set of routes over one store.
        let (responder, _) = try await SharedRoutes.shared.routes("contract-bad-requests") {
            try await buildRoutes(
                store: try await LocateEndpointTests.makeStore(), configuration: ServerConfiguration(databasePath: nil), logger: Logger(label: "test"),
                serverName: nil).routerAndLookups
        }
        try await Application(responder: responder).test(.router) { client in
            let headers: HTTPFields = uri.hasSuffix("/points") ? [.contentType: "text/csv"] : [:]
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            #expect(response.status == status, "\(method) \(uri)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
            let json = try #require(try JSON.decode(Array(response.body.readableBytesView)).objectValue, "\(uri): the body is not a JSON object")
            #expect(Set(json.keys) == ["code", "message", "details"], "\(uri): keys \(json.keys.sorted())")
            #expect(json["code"]?.stringValue == code, "\(uri)")
            #expect(json["message"]?.stringValue?.isEmpty == false, "\(uri)")
            let details = try #require(json["details"]?.objectValue, "\(uri): details is not an object")
            #expect(details["field"]?.stringValue == field, "\(uri): details \(details)")
        }
    }
}

/// The document as served says which operations this server answers without a key.
@Suite struct ServedOpenAPISecurityTests {
    static func security(_ document: JSONValue, _ path: String, _ method: String) -> [JSONValue] {
        document.objectValue?["paths"]?.objectValue?[path]?.objectValue?[method]?.objectValue?["security"]?.arrayValue ?? []
    }

    @Test func publicScopesAndOpenServersListAnAnonymousRequirement() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/GeoServer/openapi.json")
        let file = try JSON.decode(try Data(contentsOf: url))
        let keyed: [JSONValue] = [.object(["bearerAuth": .array([])]), .object(["apiKeyHeader": .array([])])]
        let anonymous = JSONValue.object([:])
        #expect(Self.security(file, "/tiles/catalog", "get") == keyed)

        let tilesPublic = OpenAPIController.served(file, access: AccessPolicy(requireKeys: true, publicScopes: [.tiles]))
        #expect(Self.security(tilesPublic, "/tiles/catalog", "get") == [anonymous] + keyed)
        #expect(Self.security(tilesPublic, "/tiles/{source}/{z}/{x}/{y}", "get") == [anonymous] + keyed)
        #expect(Self.security(tilesPublic, "/v1/layers", "get") == keyed)
        #expect(Self.security(tilesPublic, "/v1/positions", "post") == keyed)
        #expect(Self.security(tilesPublic, "/health", "get") == [])

        let demo = OpenAPIController.served(file, access: AccessPolicy(requireKeys: true, publicScopes: [.tiles, .geocode, .joins]))
        #expect(Self.security(demo, "/v1/geocode", "get") == [anonymous] + keyed)
        #expect(Self.security(demo, "/v1/layers", "get") == [anonymous] + keyed)
        #expect(Self.security(demo, "/v1/fences", "post") == keyed)
        #expect(Self.security(demo, "/v1/audit", "get") == keyed)

        let open = OpenAPIController.served(file, access: AccessPolicy(requireKeys: false))
        #expect(Self.security(open, "/v1/audit", "get") == [anonymous] + keyed)
        // Everything else is the file's.
        var withoutPaths = open.objectValue ?? [:]
        withoutPaths["paths"] = nil
        var fileWithoutPaths = file.objectValue ?? [:]
        fileWithoutPaths["paths"] = nil
        #expect(withoutPaths == fileWithoutPaths)
    }
}
