import GeoCore
import GeoStore

/// A polygon layer marked as a lookup family: a set of polygons a point is looked up in beside the unit grids
/// (social-governance grids 一般网格 and 微网格, responsibility and work grids, evaluation grids, risk grids, 门前三包
/// frontage zones, residential compounds, shared-bike parking areas).
///
/// Families are kept in the registry layer ``LookupFamilyRegistry/layerName``, one feature per family, so that a
/// mark is stored with the city's data, versioned like any layer and seen by every server.
public struct LookupFamily: Hashable, Sendable {
    /// The polygon layer.
    public var layer: String
    /// What the polygons are (``knownKinds`` or a city's own word of lowercase letters and underscores).
    public var kind: String
    /// The property holding each polygon's code and its name.
    public var codeField: String
    public var nameField: String
    /// The family whose polygons hold this one's (微网格 inside 一般网格); nil when the family hangs from regions.
    public var parentFamily: String?
    /// Whether the family's polygons hang in the region tree (grids do; parking areas and frontage zones by
    /// default do not).
    public var inTree: Bool

    public init(
        layer: String, kind: String, codeField: String = "code", nameField: String = "name", parentFamily: String? = nil,
        inTree: Bool? = nil
    ) {
        self.layer = layer
        self.kind = kind
        self.codeField = codeField
        self.nameField = nameField
        self.parentFamily = parentFamily
        self.inTree = inTree ?? Self.knownKinds[kind]?.isGrid ?? false
    }

    /// The kinds the specifications name, with their Chinese names and whether they are grids (hang in the tree).
    public static let knownKinds: [String: (title: String, isGrid: Bool)] = [
        "governance_grid": ("一般网格", true), "micro_grid": ("微网格", true), "responsibility_grid": ("责任网格", true),
        "work_grid": ("工作网格", true), "evaluation_grid": ("评价网格", true), "risk_grid": ("风险评估网格", true),
        "frontage_zone": ("门前三包", false), "compound": ("小区", false), "bike_parking": ("共享单车停放区", false),
    ]

    /// Checks the names a family is made of; `invalid_argument` naming the member otherwise.
    public func validated() throws(GeoError) -> LookupFamily {
        guard LayerName.isValid(layer) else {
            throw GeoError(code: .invalidLayerName, message: "family layer \"\(layer)\" is not a layer name", location: "layer")
        }
        guard LayerName.isValid(kind) else {
            throw GeoError(
                code: .invalidArgument, message: "kind \"\(kind)\" must be lowercase letters, digits and underscores, e.g. governance_grid",
                location: "kind")
        }
        for (field, value) in [("code_field", codeField), ("name_field", nameField)] where value.isEmpty {
            throw GeoError(code: .invalidArgument, message: "\(field) must name a property", location: field)
        }
        if let parentFamily {
            guard parentFamily != layer, LayerName.isValid(parentFamily) else {
                throw GeoError(
                    code: .invalidArgument, message: "parent_family \"\(parentFamily)\" must be another family's layer", location: "parent_family")
            }
        }
        return self
    }

    /// The registry feature of the family (a point at the family layer's centre, so that the registry is a layer
    /// like any other).
    func registryFeature(at centre: Coordinate) -> Feature {
        var properties: [String: JSONValue] = [
            "layer": .string(layer), "kind": .string(kind), "code_field": .string(codeField), "name_field": .string(nameField),
            "in_tree": .bool(inTree),
        ]
        if let parentFamily { properties["parent_family"] = .string(parentFamily) }
        return Feature(id: .string(layer), geometry: .point(Point(centre)), properties: properties)
    }

    /// Reads a registry feature; nil for one without a layer or a kind.
    init?(registryFeature feature: Feature) {
        guard let layer = feature.properties["layer"]?.stringValue, let kind = feature.properties["kind"]?.stringValue else { return nil }
        var inTree: Bool?
        if case .bool(let value)? = feature.properties["in_tree"] { inTree = value }
        self.init(
            layer: layer, kind: kind, codeField: feature.properties["code_field"]?.stringValue ?? "code",
            nameField: feature.properties["name_field"]?.stringValue ?? "name",
            parentFamily: feature.properties["parent_family"]?.stringValue, inTree: inTree)
    }
}

/// The registry of lookup families: the layer `lookup_families`, one point feature per family.
public enum LookupFamilyRegistry {
    /// The registry layer.
    public static let layerName = "lookup_families"

    /// Every family, by layer name.
    public static func families(in store: any FeatureStore) async throws(GeoError) -> [LookupFamily] {
        guard try await store.layer(named: layerName) != nil else { return [] }
        return try await store.features(in: layerName).compactMap { LookupFamily(registryFeature: $0.feature) }.sorted { $0.layer < $1.layer }
    }

    /// Marks `family` (replacing an earlier mark of its layer). The layer must exist and hold polygons:
    /// `layer_not_found` or `invalid_argument` naming `layer` otherwise; a parent family must be marked already.
    @discardableResult
    public static func mark(_ family: LookupFamily, in store: any FeatureStore) async throws(GeoError) -> [LookupFamily] {
        let family = try family.validated()
        guard let info = try await store.layer(named: family.layer) else {
            throw GeoError(code: .layerNotFound, message: "no layer named \"\(family.layer)\" to mark as a lookup family", location: "layer")
        }
        if let type = info.geometryType, type != .polygon, type != .multiPolygon {
            throw GeoError(
                code: .invalidArgument, message: "layer \"\(family.layer)\" holds \(type.rawValue) features; a lookup family holds polygons",
                location: "layer")
        }
        var families = try await families(in: store).filter { $0.layer != family.layer }
        if let parent = family.parentFamily, !families.contains(where: { $0.layer == parent }) {
            throw GeoError(code: .invalidArgument, message: "parent_family \"\(parent)\" is not a lookup family; mark it first", location: "parent_family")
        }
        families.append(family)
        try await save(families, in: store)
        return families.sorted { $0.layer < $1.layer }
    }

    /// Removes the mark of `layer` (its features stay); `not_found` when it was not a family, `invalid_argument`
    /// when another family names it as its parent.
    @discardableResult
    public static func unmark(_ layer: String, in store: any FeatureStore) async throws(GeoError) -> [LookupFamily] {
        let families = try await families(in: store)
        guard families.contains(where: { $0.layer == layer }) else {
            throw GeoError(code: .notFound, message: "layer \"\(layer)\" is not a lookup family", location: "layer")
        }
        if let child = families.first(where: { $0.parentFamily == layer }) {
            throw GeoError(
                code: .invalidArgument, message: "family \"\(child.layer)\" hangs inside \"\(layer)\"; unmark it first", location: "layer")
        }
        let rest = families.filter { $0.layer != layer }
        try await save(rest, in: store)
        return rest
    }

    private static func save(_ families: [LookupFamily], in store: any FeatureStore) async throws(GeoError) {
        guard !families.isEmpty else {
            try await store.deleteLayer(named: layerName)
            return
        }
        var features: [Feature] = []
        for family in families.sorted(by: { $0.layer < $1.layer }) {
            let centre = try await store.layer(named: family.layer)?.bbox?.center ?? Coordinate(x: 0, y: 0)
            features.append(family.registryFeature(at: centre))
        }
        _ = try await store.importLayer(
            name: layerName, features: features,
            options: ImportOptions(mode: .replace, geometryType: .point, title: "查询图层族 Lookup families"), progress: nil)
    }
}
