import GeoCore
import GeoEngine
import GeoStore

/// Everything a plan is drawn from, read from the store: evaluation grids built from the unit grids and the A/B/C
/// layer, the sample-point candidates, and checksums of the three inputs.
public struct SamplingInputs: Sendable {
    public let evaluationGrids: [EvaluationGrid]
    public let candidates: [SamplePointCandidate]
    public let checksums: [String: String]

    public static func load(
        from store: some FeatureStore, unitGrids gridLayer: String = "unit_grids", classes classLayer: String = "eval_area_types",
        samplePoints pointLayer: String = "sample_points"
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
        return SamplingInputs(evaluationGrids: grids, candidates: loaded[pointLayer]!.compactMap(SamplePointCandidate.init(feature:)), checksums: checksums)
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
            counts[parts[0].trimmingCharacters(in: .whitespaces)] = count
        }
        return counts
    }
}
