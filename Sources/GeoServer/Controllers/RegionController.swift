import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/regions`: the region tree (province → prefecture → county → town/street → community/village → unit grid,
/// with the polygons of lookup families hanging in it) and `/v1/families`: which polygon layers are lookup families.
struct RegionController {
    let store: any CityStore
    let tree: LayerVersionedValue<RegionTree>
    let families: PolygonFamilies
    let maximumBodyBytes: Int

    static let maximumDepth = 10
    static let maximumNodes = 100_000
    static let maximumSearchResults = 500

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("regions", use: searchRegions)
        group.get("regions/:code", use: ComputePool.shared.offloaded(region))
        group.get("families", use: listFamilies)
        group.put("families/:layer", use: markFamily)
        group.delete("families/:layer", use: unmarkFamily)
    }

    /// `GET /v1/regions`: nodes by name or alias (`q`), or the roots of the tree.
    @Sendable func searchRegions(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let tree = try await tree.value
        let limit = try query["limit"].map { try LayerController.parseCount(String($0), field: "limit", maximum: Self.maximumSearchResults) } ?? 20
        let within = try query["within"].map { try Self.node(String($0), family: nil, in: tree, field: "within") }
        let nodes: [Int]
        if let text = query["q"].map(String.init) {
            let q = text.trimmingCharacters(in: .whitespaces)
            guard !q.isEmpty else { throw APIError(code: .invalidArgument, message: "q must not be empty", details: ["field": "q"]) }
            nodes = tree.search(q, level: query["level"].map(String.init), within: within, limit: limit).map(\.node)
        } else {
            let base = within.map { tree.children(of: $0) } ?? tree.roots
            nodes = Array(base.prefix(limit))
        }
        return try JSONResponse.make(.object(["count": .int(Int64(nodes.count)), "nodes": .array(nodes.map(tree.json))]))
    }

    /// `GET /v1/regions/{code}`: a node with its ancestors and its descendants to `depth`.
    @Sendable func region(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let tree = try await tree.value
        let family = query["family"].map(String.init)
        let node = try Self.node(try context.parameters.require("code"), family: family, in: tree, field: "code")
        let depth = try query["depth"].map { try LayerController.parseCount(String($0), field: "depth", maximum: Self.maximumDepth) } ?? 1
        let limit = try query["limit"].map { try LayerController.parseCount(String($0), field: "limit", maximum: Self.maximumNodes) } ?? 10_000
        let included = try await includedFamilies(query["families"].map(String.init))
        let (descendants, truncated) = tree.descendants(of: node, depth: depth, limit: limit, includesFamily: included)
        return try JSONResponse.make(
            .object([
                "node": tree.json(node), "ancestors": .array(tree.ancestors(of: node).map(tree.json)),
                "descendants": .array(descendants.map(tree.json)), "depth": .int(Int64(depth)), "truncated": .bool(truncated),
            ]))
    }

    /// Which families' polygons an answer lists: `all` (default), `none`, or names separated by commas.
    private func includedFamilies(_ text: String?) async throws -> @Sendable (String) -> Bool {
        switch text {
        case nil, "all": return { _ in true }
        case "none": return { _ in false }
        case let list?:
            let known = Set(try await families.families().map(\.layer))
            let names = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            if let unknown = names.sorted().first(where: { !known.contains($0) }) {
                throw APIError(code: .invalidArgument, message: "\"\(unknown)\" is not a lookup family", details: ["field": "families"])
            }
            return { names.contains($0) }
        }
    }

    /// The node of `code` (of `family` when given): 400 `invalid_code` for text that is no region code, 404
    /// `not_found` for a code the tree does not hold, both naming `field`.
    static func node(_ code: String, family: String?, in tree: RegionTree, field: String) throws -> Int {
        if family == nil {
            do throws(GeoError) {
                _ = try RegionCode(code)
            } catch {
                throw APIError(code: error.code, message: error.message, details: ["field": .string(field)])
            }
        }
        guard let node = tree.node(code: code, family: family) else {
            let what = family.map { "polygon \(code) of family \($0)" } ?? "region \(code)"
            throw APIError(code: .notFound, message: "the region tree has no \(what)", details: ["field": .string(field)])
        }
        return node
    }

    // MARK: Families

    /// `GET /v1/families`: each family with whether its polygons overlap, which its index proves when built (here,
    /// when no lookup has built it yet); null for a family whose layer cannot be read.
    @Sendable func listFamilies(_ request: Request, context: CityRequestContext) async throws -> Response {
        var listed: [JSONValue] = []
        for family in try await families.families() {
            let overlapping = await families.overlapping(of: family.layer).map(JSONValue.bool) ?? .null
            listed.append(Self.describe(family, overlapping: overlapping))
        }
        return try JSONResponse.make(.object(["families": .array(listed)]))
    }

    /// `PUT /v1/families/{layer}`: marks a polygon layer as a lookup family.
    @Sendable func markFamily(_ request: Request, context: CityRequestContext) async throws -> Response {
        let layer = try RequestParsing.layerName(try context.parameters.require("layer"), field: "layer")
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        for member in ["kind", "code_field", "name_field", "parent_family"] {
            if let value = body[member], value != .null, value.stringValue == nil {
                throw APIError(code: .invalidArgument, message: "\(member) must be a string", details: ["field": .string(member)])
            }
        }
        if let value = body["in_tree"], value != .null, !(value == .bool(true) || value == .bool(false)) {
            throw APIError(code: .invalidArgument, message: "in_tree must be true or false", details: ["field": "in_tree"])
        }
        let family = LookupFamily(
            layer: layer, kind: try RequestParsing.required(body["kind"]?.stringValue, "kind"),
            codeField: body["code_field"]?.stringValue ?? "code", nameField: body["name_field"]?.stringValue ?? "name",
            parentFamily: body["parent_family"]?.stringValue, inTree: body["in_tree"] == .bool(true) ? true : body["in_tree"] == .bool(false) ? false : nil)
        do throws(GeoError) {
            try await LookupFamilyRegistry.mark(family, in: store)
        } catch {
            throw APIError(error, field: error.location ?? "layer")
        }
        try await refresh()
        return try JSONResponse.make(Self.describe(family))
    }

    /// `DELETE /v1/families/{layer}`: the layer stays; it is no longer looked up.
    @Sendable func unmarkFamily(_ request: Request, context: CityRequestContext) async throws -> Response {
        let layer = try RequestParsing.layerName(try context.parameters.require("layer"), field: "layer")
        do throws(GeoError) {
            try await LookupFamilyRegistry.unmark(layer, in: store)
        } catch {
            throw APIError(error, field: "layer")
        }
        try await refresh()
        return Response(status: .noContent)
    }

    /// After a mark or unmark: this server answers from it at once (others follow within their check interval or
    /// at once through the store's change feed).
    private func refresh() async throws {
        try await families.refreshed()
        _ = try await tree.refreshed()
    }

    /// A family as JSON; `overlapping` (listed families only) is whether its polygons overlap, or null.
    static func describe(_ family: LookupFamily, overlapping: JSONValue? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "layer": .string(family.layer), "kind": .string(family.kind), "code_field": .string(family.codeField),
            "name_field": .string(family.nameField), "parent_family": family.parentFamily.map(JSONValue.string) ?? .null,
            "in_tree": .bool(family.inTree), "title": LookupFamily.knownKinds[family.kind].map { .string($0.title) } ?? .null,
        ]
        if let overlapping { object["overlapping"] = overlapping }
        return .object(object)
    }
}
