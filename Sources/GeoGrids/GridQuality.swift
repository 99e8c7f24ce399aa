import GeoCore
import GeoEngine

/// The checks a census team runs on an imported unit-grid layer (GB/T 30428.1): invalid rings, overlaps,
/// gaps inside communities and between them, slivers, grids crossing their community's boundary, codes, and
/// area statistics.
public struct GridQualityReport: Sendable {
    /// One problem, with the geometry that shows it on a map.
    public struct Problem: Sendable, Hashable {
        public enum Kind: String, Sendable, CaseIterable {
            case invalidGeometry = "invalid_geometry"
            case invalidCode = "invalid_code"
            case overlap
            case gap
            case sliver
            case crossesCommunity = "crosses_community"
        }

        public let kind: Kind
        /// The unit grid(s) or community concerned.
        public let codes: [String]
        public let message: String
        /// Area in m² (overlap, gap, sliver, outside part), when the problem has one.
        public let areaSquareMetres: Double?
        public let geometry: Geometry?
    }

    /// Area statistics of a set of grids, in m².
    public struct AreaStatistics: Sendable, Hashable {
        public let count: Int
        public let totalArea: Double
        public let meanArea: Double
        public let minimumArea: Double
        public let maximumArea: Double
    }

    public let problems: [Problem]
    public let overall: AreaStatistics
    /// Per community code, in code order.
    public let perCommunity: [(code: String, statistics: AreaStatistics)]

    /// The problems as a GeoJSON FeatureCollection for a map.
    public var problemFeatures: FeatureCollection {
        FeatureCollection(
            problems.map { problem in
                var properties: [String: JSONValue] = [
                    "kind": .string(problem.kind.rawValue), "codes": .string(problem.codes.joined(separator: "/")),
                    "message": .string(problem.message),
                ]
                if let area = problem.areaSquareMetres { properties["area_m2"] = .double((area * 100).rounded() / 100) }
                return Feature(geometry: problem.geometry, properties: properties)
            })
    }

    /// Counts of problems by kind, every kind listed.
    public var problemCounts: [(kind: Problem.Kind, count: Int)] {
        Problem.Kind.allCases.map { kind in (kind, problems.filter { $0.kind == kind }.count) }
    }
}

/// Runs the quality checks. Thresholds are in m².
public struct GridQualityChecker {
    /// Overlaps and gaps smaller than this are numerical noise, not problems.
    public var areaTolerance: Double = 0.5
    /// Grids smaller than this are slivers (the standard's grids are about 10,000 m²).
    public var sliverArea: Double = 1_000
    /// Grids whose isoperimetric quotient 4πA/P² is below this are slivers too (a 10:1 rectangle scores 0.26).
    public var sliverCompactness: Double = 0.1

    public init() {}

    /// Checks unit grids (features with `code` and the geometry) against communities (features with `code`).
    /// `engine` must belong to the calling task. Cancellation of the calling task is checked once per grid and per
    /// community, and stops the check with `cancelled`.
    public func check(unitGrids: [Feature], communities: [Feature], engine: GeometryEngine) throws -> GridQualityReport {
        var problems: [GridQualityReport.Problem] = []
        var valid: [(code: String, geometry: Geometry, area: Double)] = []
        // Grids whose code is malformed cannot be attributed to a community.
        var unattributable = Set<String>()
        var seenCodes = Set<String>()

        for (k, grid) in unitGrids.enumerated() {
            try GeoError.throwIfCancelled()
            let code = grid.properties["code"]?.stringValue ?? "#\(k)"
            if let complaint = codeProblem(code, declaredCommunity: grid.properties["community_code"]?.stringValue) {
                if (try? RegionCode(code, expecting: .unitGrid)) == nil { unattributable.insert(code) }
                problems.append(.init(kind: .invalidCode, codes: [code], message: complaint, areaSquareMetres: nil, geometry: grid.geometry))
            } else if !seenCodes.insert(code).inserted {
                problems.append(.init(kind: .invalidCode, codes: [code], message: "code \(code) is used twice", areaSquareMetres: nil, geometry: grid.geometry))
            }
            guard let geometry = grid.geometry, geometry.type == .polygon || geometry.type == .multiPolygon else {
                problems.append(.init(kind: .invalidGeometry, codes: [code], message: "grid \(code) has no polygon", areaSquareMetres: nil, geometry: grid.geometry))
                continue
            }
            let validity = try engine.validate(geometry)
            guard validity.isValid else {
                problems.append(
                    .init(
                        kind: .invalidGeometry, codes: [code], message: "grid \(code): \(validity.reason ?? "invalid geometry")",
                        areaSquareMetres: nil, geometry: validity.location.map { .point(Point($0)) } ?? geometry))
                continue
            }
            let area = try engine.geodesicArea(geometry)
            let perimeter = try engine.geodesicLength(geometry)
            let compactness = perimeter > 0 ? 4 * Double.pi * area / (perimeter * perimeter) : 0
            if area < sliverArea || compactness < sliverCompactness {
                problems.append(
                    .init(
                        kind: .sliver, codes: [code],
                        message: "grid \(code) is a sliver: \(Int(area.rounded())) m², compactness \(String(compactness.formatted2))",
                        areaSquareMetres: area, geometry: geometry))
            }
            valid.append((code, geometry, area))
        }

        // Overlaps: pairs whose bounding boxes share interior points (boxes that only touch hold no overlap of
        // any area), tested exactly.
        let index = PolygonIndex(valid.map(\.geometry))
        for (i, j) in index.candidatePairs() {
            try GeoError.throwIfCancelled()
            let grid = valid[i]
            let overlap = try engine.intersection(grid.geometry, valid[j].geometry)
            guard !overlap.isEmpty else { continue }
            let area = try engine.geodesicArea(overlap)
            if area > areaTolerance {
                problems.append(
                    .init(
                        kind: .overlap, codes: [grid.code, valid[j].code],
                        message: "grids \(grid.code) and \(valid[j].code) overlap by \(area.formatted2) m²", areaSquareMetres: area,
                        geometry: overlap))
            }
        }

        // Gaps inside each community and grids sticking out of their community.
        let gridsByCommunity = Dictionary(grouping: valid.filter { !unattributable.contains($0.code) }, by: { String($0.code.prefix(12)) })
        for community in communities {
            try GeoError.throwIfCancelled()
            guard let code = community.properties["code"]?.stringValue, let shape = community.geometry,
                let members = gridsByCommunity[code]
            else { continue }
            let union = try engine.unaryUnion(members.map(\.geometry))
            let uncovered = try engine.difference(shape, union)
            for part in uncovered.polygons {
                let area = try engine.geodesicArea(.polygon(part))
                if area > areaTolerance {
                    problems.append(
                        .init(
                            kind: .gap, codes: [code], message: "community \(code) has \(area.formatted2) m² covered by no unit grid",
                            areaSquareMetres: area, geometry: .polygon(part)))
                }
            }
            for member in members {
                let outside = try engine.difference(member.geometry, shape)
                guard !outside.isEmpty else { continue }
                let area = try engine.geodesicArea(outside)
                if area > areaTolerance {
                    problems.append(
                        .init(
                            kind: .crossesCommunity, codes: [member.code],
                            message: "grid \(member.code) extends \(area.formatted2) m² outside community \(code)", areaSquareMetres: area,
                            geometry: outside))
                }
            }
        }

        // Gaps between grids anywhere: holes of the union of every grid.
        if !valid.isEmpty {
            let all = try engine.unaryUnion(valid.map(\.geometry))
            for part in all.polygons {
                for hole in part.holes {
                    let area = try engine.geodesicArea(.polygon(Polygon(exterior: hole.reversed())))
                    if area > areaTolerance, !problems.contains(where: { $0.kind == .gap && $0.geometry == .polygon(Polygon(exterior: hole)) }) {
                        problems.append(
                            .init(
                                kind: .gap, codes: [], message: "a hole of \(area.formatted2) m² lies between unit grids",
                                areaSquareMetres: area, geometry: .polygon(Polygon(exterior: hole))))
                    }
                }
            }
        }

        func statistics(_ areas: [Double]) -> GridQualityReport.AreaStatistics {
            let total = areas.reduce(0, +)
            return .init(
                count: areas.count, totalArea: total, meanArea: areas.isEmpty ? 0 : total / Double(areas.count),
                minimumArea: areas.min() ?? 0, maximumArea: areas.max() ?? 0)
        }
        let perCommunity = gridsByCommunity.keys.sorted().map { ($0, statistics(gridsByCommunity[$0]!.map(\.area))) }
        return GridQualityReport(problems: problems, overall: statistics(valid.map(\.area)), perCommunity: perCommunity)
    }

    /// What is wrong with a unit grid's code or its declared community, nil when nothing is.
    private func codeProblem(_ code: String, declaredCommunity: String?) -> String? {
        do {
            let parsed = try RegionCode(code, expecting: .unitGrid)
            if let declaredCommunity { try parsed.checkParent(declaredCommunity, field: "community_code") }
            return nil
        } catch {
            return error.message
        }
    }
}

extension Double {
    /// Two decimals, for messages.
    var formatted2: String { String((self * 100).rounded() / 100) }
}
