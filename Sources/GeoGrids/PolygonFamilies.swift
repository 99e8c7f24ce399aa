import GeoCore
import GeoStore

/// A polygon of a lookup family that holds a point: its code, name and attributes.
public struct FamilyHit: Hashable, Sendable {
    public let code: String
    public let name: String
    public let attributes: [String: JSONValue]
}

/// One lookup family in memory: its polygons in a ``PolygonIndex`` (overlaps allowed: a point may lie in several
/// frontage zones at once) with each polygon's code, name and attributes. The index proves at build whether any
/// two polygons overlap (``overlapping``); a family that tiles (unit grids, communities, governance grids) is then
/// answered with the first holder, at the cost of one lookup, and the same answers.
public final class FamilyIndex: Sendable {
    public let family: LookupFamily
    private let index: PolygonIndex
    /// Per polygon, in layer order.
    public let codes: [String]
    public let names: [String]
    public let attributes: [[String: JSONValue]]

    /// Indexes the family's features; a feature's code is its `codeField` property, else its id, else its row id.
    public init(family: LookupFamily, features: [StoredFeature]) {
        self.family = family
        index = PolygonIndex(features.map(\.feature.geometry), checkingOverlaps: true)
        codes = features.map { stored in
            stored.feature.properties[family.codeField]?.scalarText ?? stored.feature.id?.text ?? String(stored.fid)
        }
        names = features.map { $0.feature.properties[family.nameField]?.stringValue ?? "" }
        attributes = features.map(\.feature.properties)
    }

    /// The number of polygons.
    public var count: Int { codes.count }

    /// Whether some two of the family's polygons overlap (share interior points; neighbours sharing an edge do
    /// not), proven at build: false for a family that tiles, whose points then have one holder at most and are
    /// answered with the first one found. True also when it could not be proven otherwise (an invalid polygon).
    public var overlapping: Bool { index.overlapping ?? true }

    /// The polygons holding `point`, in layer order.
    public func containing(_ point: Coordinate) -> [Int] { index.locateAll(point) }

    /// Replaces `found` with the polygons holding `point` (the allocation-free form for batches).
    public func containing(_ point: Coordinate, into found: inout [Int]) { index.locateAll(point, into: &found) }

    /// Polygon `k` as an answer.
    public func hit(_ k: Int) -> FamilyHit { FamilyHit(code: codes[k], name: names[k], attributes: attributes[k]) }
}

/// The lookup families of a store in memory: the registry, and each family's index built on first use and
/// rebuilt when its layer or the registry changes (``LayerVersionedValues``).
public final class PolygonFamilies: Sendable {
    private let registry: LayerVersionedValue<[LookupFamily]>
    private let indexes: LayerVersionedValues<FamilyIndex>

    /// The families of `store`, checked at most once per `checkInterval`.
    public init(store: any FeatureStore, checkInterval: Duration) {
        registry = LayerVersionedValue(store: store, layerNames: [LookupFamilyRegistry.layerName], checkInterval: checkInterval) { store in
            try await LookupFamilyRegistry.families(in: store)
        }
        indexes = LayerVersionedValues(store: store, checkInterval: checkInterval, alsoWatching: [LookupFamilyRegistry.layerName]) {
            store, layer in
            guard let family = try await LookupFamilyRegistry.families(in: store).first(where: { $0.layer == layer }) else {
                throw GeoError(code: .layerNotFound, message: "layer \"\(layer)\" is not a lookup family")
            }
            guard try await store.layer(named: layer) != nil else {
                throw GeoError(code: .layerNotFound, message: "lookup family \"\(layer)\" has no layer; import it again or unmark it")
            }
            return FamilyIndex(family: family, features: try await store.features(in: layer))
        }
    }

    /// Every marked family.
    public func families() async throws -> [LookupFamily] { try await registry.value }

    /// Every marked family, read again now (after a mark or unmark in this process), with every family index
    /// rebuilt at its next use.
    @discardableResult
    public func refreshed() async throws -> [LookupFamily] {
        indexes.invalidate(layer: LookupFamilyRegistry.layerName)
        return try await registry.refreshed()
    }

    /// The indexes of the families a request names: `all`, or names separated by commas. A name that is not a
    /// family is `invalid_argument` naming `field`.
    public func indexes(named text: String, field: String = "families") async throws -> [FamilyIndex] {
        let known = try await families()
        let names: [String]
        if text == "all" {
            names = known.map(\.layer)
        } else {
            names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let unknown = names.first(where: { name in !known.contains { $0.layer == name } }) {
                let list = known.isEmpty ? "none is marked (citygeo regions family mark)" : known.map(\.layer).joined(separator: ", ")
                throw GeoError(code: .invalidArgument, message: "\"\(unknown)\" is not a lookup family; families: \(list)", location: field)
            }
        }
        var result: [FamilyIndex] = []
        for name in names { result.append(try await index(of: name)) }
        return result
    }

    /// The index of one family; `layer_not_found` when it is not a family.
    public func index(of layer: String) async throws -> FamilyIndex { try await indexes.value(of: layer) }

    /// Whether family `layer`'s polygons overlap (``FamilyIndex/overlapping``), building its index when no lookup
    /// has yet; nil when that index cannot be built (its layer cannot be read), so that a listing of every family
    /// still answers for the others.
    public func overlapping(of layer: String) async -> Bool? {
        try? await index(of: layer).overlapping
    }

    /// Rebuilds what was built from `layer` at its next use (the store's change feed reported a change).
    public func invalidate(layer: String) {
        if layer == LookupFamilyRegistry.layerName { registry.invalidate() }
        indexes.invalidate(layer: layer)
    }
}
