import GeoCore

/// A complete field-inspection plan: what was drawn, from what, under which rules and seed, so that anyone can
/// check it and redraw it.
public struct SamplingPlan: Sendable {
    public let seed: UInt64
    public let cityClass: Int
    public let gridQuota: DrawQuota
    public let pointRules: SamplePointRules
    /// FNV-1a 64-bit checksums of the inputs' canonical GeoJSON, by input name.
    public let inputChecksums: [String: String]
    public let grids: [EvaluationGrid]
    public let groups: [InspectorAssignment.Group]

    /// Draws grids, then points (within the drawn grids' unit grids when `pointsWithinDrawnGrids`), then assigns
    /// the points to `inspectorGroups`.
    public static func make(
        evaluationGrids: [EvaluationGrid], candidates: [SamplePointCandidate], cityClass: Int, pointRules: SamplePointRules,
        pointsWithinDrawnGrids: Bool, inspectorGroups: Int, seed: UInt64, excludedGrids: Set<String> = [],
        inputChecksums: [String: String], quota customQuota: DrawQuota? = nil
    ) throws(GeoError) -> SamplingPlan {
        let quota: DrawQuota
        if let customQuota { quota = customQuota } else { quota = try DrawQuota.cityClass(cityClass) }
        let grids = try StratifiedDraw.draw(evaluationGrids, quota: quota, seed: seed, excluded: excludedGrids)
        var rules = pointRules
        // A seed derived from the plan's seed keeps the point draw independent of the grid draw's consumption.
        let pointSeed = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        var points: [SamplePointCandidate]
        if pointsWithinDrawnGrids {
            // Types the drawn grids hold are drawn inside them; types they lack are filled from the whole city,
            // as the evaluation rules ask of sample points (content missing from the grids).
            let inside = Set(grids.flatMap(\.memberCodes))
            let typesInside = Set(candidates.filter { inside.contains($0.gridCode ?? "") }.map(\.type))
            var insideRules = rules
            insideRules.withinGrids = inside
            insideRules.countsPerType = rules.countsPerType.filter { typesInside.contains($0.key) }
            var fillRules = rules
            fillRules.countsPerType = rules.countsPerType.filter { !typesInside.contains($0.key) }
            points = try SamplePointDraw.draw(candidates, rules: insideRules, seed: pointSeed)
            fillRules.excludedIDs.formUnion(points.map(\.id))
            points += try SamplePointDraw.draw(candidates, rules: fillRules, seed: pointSeed &+ 1)
            rules.withinGrids = inside
        } else {
            points = try SamplePointDraw.draw(candidates, rules: rules, seed: pointSeed)
        }
        let groups = try InspectorAssignment.assign(points, groups: inspectorGroups)
        return SamplingPlan(seed: seed, cityClass: cityClass, gridQuota: quota, pointRules: rules, inputChecksums: inputChecksums, grids: grids, groups: groups)
    }

    /// FNV-1a 64 of bytes, as 16 hex digits.
    public static func checksum(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Grids and points as one FeatureCollection; the plan's record (seed, rules, checksums) is on every feature
    /// under `plan_*` so that the file alone says how it was made; `round` is the history round, when recorded.
    public func geoJSON(round: Int? = nil) -> FeatureCollection {
        var record: [String: JSONValue] = [
            "plan_seed": .string(String(seed)), "plan_city_class": .int(Int64(cityClass)),
            "plan_quota": .string(gridQuota.counts.keys.sorted().map { "\($0)=\(gridQuota.counts[$0]!)" }.joined(separator: ",")),
            "plan_points": .string(pointRules.countsPerType.keys.sorted().map { "\($0)=\(pointRules.countsPerType[$0]!)" }.joined(separator: ",")),
            "plan_spacing_m": .double(pointRules.minimumSpacingMetres),
            "plan_inputs": .string(inputChecksums.keys.sorted().map { "\($0):\(inputChecksums[$0]!)" }.joined(separator: ",")),
        ]
        if let round { record["plan_round"] = .int(Int64(round)) }
        var features = grids.map { grid -> Feature in
            var feature = grid.feature
            feature.properties["role"] = "evaluation_grid"
            feature.properties.merge(record) { a, _ in a }
            return feature
        }
        for group in groups {
            for point in group.points {
                var properties: [String: JSONValue] = [
                    "role": "sample_point", "id": .string(point.id), "type": .string(point.type), "street_code": .string(point.streetCode),
                    "grid_code": point.gridCode.map(JSONValue.string) ?? .null, "group": .int(Int64(group.number)),
                ]
                properties.merge(point.details) { a, _ in a }
                properties.merge(record) { a, _ in a }
                features.append(Feature(id: .string(point.id), geometry: point.geometry ?? .point(Point(point.position)), properties: properties))
            }
        }
        return FeatureCollection(features)
    }

    /// One row per drawn item: role, code/id, class or type, street, group, lon, lat.
    public func csv() -> String {
        var lines = ["role,code,class_or_type,street_code,group,lon,lat"]
        for grid in grids {
            let centre = grid.geometry.boundingBox?.center ?? Coordinate(x: 0, y: 0)
            lines.append("evaluation_grid,\(grid.code),\(grid.areaClass ?? ""),\(grid.streetCode),,\(centre.x),\(centre.y)")
        }
        for group in groups {
            for point in group.points {
                lines.append("sample_point,\(point.id),\(point.type),\(point.streetCode),\(group.number),\(point.position.x),\(point.position.y)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
