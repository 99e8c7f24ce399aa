import GeoCore
import GeoEngine
import GeoGrids
import GeoStore

/// Everything a plan is drawn from, read from the store: evaluation grids built from the unit grids and the A/B/C
/// layer, the sample-point candidates, and checksums of the three inputs.
public struct SamplingInputs: Sendable {
    public let evaluationGrids: [EvaluationGrid]
    public let candidates: [SamplePointCandidate]
    public let checksums: [String: String]

    /// Reads the inputs. Each of `themes` replaces the sample-point layer's points of its type by the sites of its
    /// thematic layer (road and river sections of about `sectionMetres`, polygons, points), and its layer's
    /// checksum joins the plan's record; without themes the inputs are the three layers alone.
    public static func load(
        from store: some FeatureStore, unitGrids gridLayer: String = "unit_grids", classes classLayer: String = "eval_area_types",
        samplePoints pointLayer: String = "sample_points", themes: [ThematicLayer] = [], sectionMetres: Double = 200
    ) async throws -> SamplingInputs {
        var checksums: [String: String] = [:]
        var loaded: [String: [Feature]] = [:]
        for name in [gridLayer, classLayer, pointLayer] {
            guard try await store.layer(named: name) != nil else {
                throw GeoError(code: .layerNotFound, message: "no layer named \"\(name)\"; sampling needs unit grids, A/B/C areas and sample points")
            }
            let features = try await store.features(in: name).map(\.feature)
            loaded[name] = features
            checksums[name] = SamplingPlan.checksum(try GeoJSON.encodeBytes(FeatureCollection(features)))
        }
        let grids = try classifiedGrids(unitGrids: loaded[gridLayer]!, classes: loaded[classLayer]!)
        let (candidates, themeChecksums) = try await sites(
            points: loaded[pointLayer]!, themes: themes, sectionMetres: sectionMetres, store: store)
        checksums.merge(themeChecksums) { own, _ in own }
        return SamplingInputs(evaluationGrids: grids, candidates: candidates, checksums: checksums)
    }

    /// The sites of a draw: the sample-point layer's `points` but those of a themed type, and the sites of each
    /// theme's layer (see ``ThematicLayer/sites(of:sectionMetres:locator:)``), with each theme layer's checksum.
    public static func sites(
        points: [Feature], themes: [ThematicLayer], sectionMetres: Double, store: some FeatureStore
    ) async throws -> (candidates: [SamplePointCandidate], checksums: [String: String]) {
        let themedTypes = Set(themes.map(\.type))
        var candidates = points.compactMap(SamplePointCandidate.init(feature:)).filter { !themedTypes.contains($0.type) }
        var checksums: [String: String] = [:]
        guard !themes.isEmpty else { return (candidates, checksums) }
        guard sectionMetres > 0, sectionMetres.isFinite else {
            throw GeoError(code: .invalidArgument, message: "the section length \(sectionMetres) m must be a positive number", location: "section_m")
        }
        let locator = try await GridLocator.load(from: store)
        for theme in themes {
            guard try await store.layer(named: theme.layer) != nil else {
                throw GeoError(code: .layerNotFound, message: "no layer named \"\(theme.layer)\" for the sample type \(theme.type)", location: "themes")
            }
            let features = try await store.features(in: theme.layer)
            checksums[theme.layer] = SamplingPlan.checksum(try GeoJSON.encodeBytes(FeatureCollection(features.map(\.feature))))
            candidates += theme.sites(of: features, sectionMetres: sectionMetres, locator: locator)
        }
        return (candidates, checksums)
    }

    /// The road centre lines a printed plan draws under its sites (layer `roads`); none when there is no such layer.
    public static func roads(from store: some FeatureStore, layer: String = "roads") async throws(GeoError) -> [Feature] {
        guard try await store.layer(named: layer) != nil else { return [] }
        return try await store.features(in: layer).map(\.feature)
    }

    /// Evaluation grids built automatically from the store's unit-grid layer, classified by its A/B/C layer.
    public static func evaluationGrids(from store: some FeatureStore, unitGrids gridLayer: String = "unit_grids", classes classLayer: String = "eval_area_types") async throws -> [EvaluationGrid] {
        var layers: [[Feature]] = []
        for name in [gridLayer, classLayer] {
            guard try await store.layer(named: name) != nil else { throw GeoError(code: .layerNotFound, message: "no layer named \"\(name)\"") }
            layers.append(try await store.features(in: name).map(\.feature))
        }
        return try classifiedGrids(unitGrids: layers[0], classes: layers[1])
    }

    private static func classifiedGrids(unitGrids: [Feature], classes: [Feature]) throws -> [EvaluationGrid] {
        let builder = EvaluationGridBuilder()
        var grids = try builder.build(unitGrids: unitGrids, engine: try GeometryEngine())
        builder.assignClasses(&grids, unitGrids: unitGrids, classes: classes)
        return grids
    }

    /// Parses point counts written `主次干道=6,背街小巷=4`; throws `invalid_argument` naming the bad entry.
    public static func parseCounts(_ text: String) throws(GeoError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let count = Int(parts[1].trimmingCharacters(in: .whitespaces)), count >= 0 else {
                throw GeoError(code: .invalidArgument, message: "point count \"\(entry)\" is not type=count", location: String(entry))
            }
            counts[SampleType.canonicalName(parts[0].trimmingCharacters(in: .whitespaces))] = count
        }
        return counts
    }
}
