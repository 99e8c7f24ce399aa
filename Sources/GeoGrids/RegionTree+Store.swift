import GeoCore
import GeoStore

extension RegionTree {
    /// The city's region layers the tree reads, with their tiers.
    public static let regionLayers: [(layer: String, tier: RegionTier)] = [
        (GridLocator.layerNames.district, .county), (GridLocator.layerNames.streets, .street),
        (GridLocator.layerNames.communities, .community), (GridLocator.layerNames.unitGrids, .unitGrid),
    ]

    /// The tree of `divisions` (China's list; empty for a city's layers alone), `store`'s region layers and the
    /// lookup families marked to hang in it.
    public static func load(from store: any FeatureStore, divisions: [Division]) async throws -> RegionTree {
        var builder = RegionTreeBuilder()
        builder.add(divisions: divisions)
        for (layer, tier) in regionLayers where try await store.layer(named: layer) != nil {
            builder.add(regions: try await store.features(in: layer).map(\.feature), tier: tier, layer: layer)
        }
        var families: [(family: LookupFamily, features: [StoredFeature])] = []
        for family in try await LookupFamilyRegistry.families(in: store) where family.inTree {
            guard try await store.layer(named: family.layer) != nil else { continue }
            families.append((family, try await store.features(in: family.layer)))
        }
        return builder.build(families: families)
    }

    /// The tree of `store`, rebuilt when a region layer, the family registry or a family in the tree changes.
    public static func versioned(store: any FeatureStore, divisions: [Division], checkInterval: Duration) -> LayerVersionedValue<RegionTree> {
        LayerVersionedValue(
            store: store, layerNames: regionLayers.map(\.layer) + [LookupFamilyRegistry.layerName],
            alsoWatching: { store in try await LookupFamilyRegistry.families(in: store).filter(\.inTree).map(\.layer) },
            checkInterval: checkInterval
        ) { store in try await load(from: store, divisions: divisions) }
    }

    /// Whether a layer change can change the tree (a region layer or the registry; family layers are watched
    /// through the registry).
    public static func reads(layer: String) -> Bool {
        regionLayers.contains { $0.layer == layer } || layer == LookupFamilyRegistry.layerName
    }

    /// Node `k` as the API and the CLI answer it.
    public func json(_ k: Int) -> JSONValue {
        let node = nodes[k]
        let parent = parent(of: k).map { nodes[$0] }
        func coordinates(_ c: Coordinate) -> [JSONValue] { [.double(c.x), .double(c.y)] }
        return .object([
            "code": .string(node.code), "name": .string(node.name), "level": .string(node.level), "depth": .int(Int64(depths[k])),
            "sort_order": .int(Int64(node.sortOrder)), "valid": .bool(node.valid),
            "parent_code": parent.map { .string($0.code) } ?? .null,
            "parent_family": parent?.family.map(JSONValue.string) ?? .null,
            "family": node.family.map(JSONValue.string) ?? .null,
            "bbox": node.bbox.map { .array([.double($0.minX), .double($0.minY), .double($0.maxX), .double($0.maxY)]) } ?? .null,
            "point": node.point.map { .array(coordinates($0)) } ?? .null,
            "aliases": .array(node.aliases.map(JSONValue.string)), "source": .string(node.source),
            "child_count": .int(Int64(children(of: k).count)),
        ])
    }
}
