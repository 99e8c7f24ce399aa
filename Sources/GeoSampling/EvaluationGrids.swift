import GeoCore
import GeoEngine
import GeoGrids

/// An evaluation grid (评价网格): contiguous unit grids of one street merged to about 1 km² (never under 0.5 km²,
/// in principle not over 3 km²), coded 6 county + 3 street + 3 sequence (e.g. 320904001003).
public struct EvaluationGrid: Hashable, Sendable {
    public let code: String
    public let streetCode: String
    public let memberCodes: [String]
    public let areaSquareMetres: Double
    /// A, B or C: the class of the evaluation area holding most of it; nil when unknown.
    public var areaClass: String?
    public let geometry: Geometry
    /// First division date and last change date (ISO dates), and remarks, as the layer records them.
    public var firstDivisionDate: String?
    public var changeDate: String?
    public var remarks: String = ""

    public init(code: String, streetCode: String, memberCodes: [String], areaSquareMetres: Double, areaClass: String?, geometry: Geometry) {
        self.code = code
        self.streetCode = streetCode
        self.memberCodes = memberCodes
        self.areaSquareMetres = areaSquareMetres
        self.areaClass = areaClass
        self.geometry = geometry
    }

    public var feature: Feature {
        Feature(
            id: .string(code), geometry: geometry,
            properties: [
                "code": .string(code), "street_code": .string(streetCode), "area_m2": .double((areaSquareMetres * 10).rounded() / 10),
                "type": areaClass.map(JSONValue.string) ?? .null, "unit_grid_count": .int(Int64(memberCodes.count)),
                "members": .string(memberCodes.joined(separator: "/")),
                "first_division_date": firstDivisionDate.map(JSONValue.string) ?? .null,
                "change_date": changeDate.map(JSONValue.string) ?? .null, "remarks": .string(remarks),
            ])
    }
}

/// Builds evaluation grids by region growing over the unit grids' edge adjacency, street by street.
public struct EvaluationGridBuilder {
    /// The area a grid grows to (1 km²).
    public var targetArea = 1_000_000.0
    /// The rule's floor and ceiling.
    public var minimumArea = 500_000.0
    public var maximumArea = 3_000_000.0

    public init() {}

    /// Groups `unitGrids` (features with a 15-digit `code`, polygons in lon/lat) into evaluation grids.
    /// Seeds are taken in code order, so the result is deterministic. A group left under the minimum is merged
    /// into its smallest neighbour of the same street when that stays under the maximum.
    public func build(unitGrids: [Feature], engine: GeometryEngine) throws -> [EvaluationGrid] {
        let grids = unitGrids.compactMap { feature -> (code: String, geometry: Geometry)? in
            guard let code = feature.properties["code"]?.stringValue, code.count == 15, let geometry = feature.geometry else { return nil }
            return (code, geometry)
        }.sorted { $0.code < $1.code }
        let areas = try grids.map { try engine.geodesicArea($0.geometry) }
        let neighbours = Self.edgeAdjacency(grids.map(\.geometry))

        var group = [Int](repeating: -1, count: grids.count)
        var groups: [[Int]] = []
        for seed in grids.indices where group[seed] == -1 {
            let street = grids[seed].code.prefix(9)
            var members = [seed]
            var area = areas[seed]
            group[seed] = groups.count
            var frontier = [seed]
            // Breadth-first growth keeps groups compact.
            while area < targetArea, !frontier.isEmpty {
                var next: [Int] = []
                for cell in frontier {
                    for neighbour in neighbours[cell] where group[neighbour] == -1 && grids[neighbour].code.prefix(9) == street {
                        guard area < targetArea else { break }
                        group[neighbour] = groups.count
                        members.append(neighbour)
                        area += areas[neighbour]
                        next.append(neighbour)
                    }
                }
                frontier = next
            }
            groups.append(members)
        }

        // Merge groups under the floor into their smallest same-street neighbour.
        var merged = true
        while merged {
            merged = false
            for g in groups.indices where !groups[g].isEmpty {
                let area = groups[g].reduce(0) { $0 + areas[$1] }
                guard area < minimumArea else { continue }
                let street = grids[groups[g][0]].code.prefix(9)
                let adjacent = Set(groups[g].flatMap { neighbours[$0] }.map { group[$0] }).subtracting([g])
                    .filter { !groups[$0].isEmpty && grids[groups[$0][0]].code.prefix(9) == street }
                let best = adjacent.min { a, b in
                    (groups[a].reduce(0) { $0 + areas[$1] }, a) < (groups[b].reduce(0) { $0 + areas[$1] }, b)
                }
                guard let best, area + groups[best].reduce(0, { $0 + areas[$1] }) <= maximumArea else { continue }
                for member in groups[g] { group[member] = best }
                groups[best] += groups[g]
                groups[g] = []
                merged = true
            }
        }

        var sequence: [Substring: Int] = [:]
        var result: [EvaluationGrid] = []
        for members in groups where !members.isEmpty {
            let sorted = members.sorted()
            let street = grids[sorted[0]].code.prefix(9)
            sequence[street, default: 0] += 1
            let code = String(street) + String(1_000 + sequence[street]!).dropFirst()
            let union = try engine.unaryUnion(sorted.map { grids[$0].geometry })
            result.append(
                EvaluationGrid(
                    code: code, streetCode: String(street), memberCodes: sorted.map { grids[$0].code },
                    areaSquareMetres: sorted.reduce(0) { $0 + areas[$1] }, areaClass: nil, geometry: union))
        }
        return result
    }

    /// For each polygon, the polygons sharing at least one edge with it (equal vertex pairs, either direction).
    static func edgeAdjacency(_ geometries: [Geometry]) -> [[Int]] {
        struct EdgeKey: Hashable { let a: Coordinate; let b: Coordinate }
        var owners: [EdgeKey: [Int]] = [:]
        for (index, geometry) in geometries.enumerated() {
            for polygon in geometry.polygons {
                let ring = polygon.exterior
                guard ring.count > 1 else { continue }
                for k in 1..<ring.count {
                    let (p, q) = (ring[k - 1], ring[k])
                    let key = (p.x, p.y) < (q.x, q.y) ? EdgeKey(a: p, b: q) : EdgeKey(a: q, b: p)
                    owners[key, default: []].append(index)
                }
            }
        }
        var neighbours = [Set<Int>](repeating: [], count: geometries.count)
        for list in owners.values where list.count > 1 {
            for i in list { for j in list where i != j { neighbours[i].insert(j) } }
        }
        return neighbours.map { $0.sorted() }
    }
}

extension EvaluationGridBuilder {
    /// Builds evaluation grids from a mapping CSV (header row; columns `unit_grid_code`, `eval_grid_code`, and
    /// optionally `type`, `first_division_date`, `change_date`, `remarks`, taken from the first row of each
    /// evaluation grid). Throws `invalid_csv` naming the line of an unknown unit grid, a missing column or an
    /// evaluation-grid code that is not 12 digits of its unit grid's street.
    public func build(mapping csv: String, unitGrids: [Feature], engine: GeometryEngine) throws -> [EvaluationGrid] {
        let records = try CSVReader.read(Array(csv.utf8))
        guard let headerRecord = records.first else { throw GeoError(code: .invalidCSV, message: "the mapping file is empty") }
        let header = headerRecord.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let unitColumn = header.firstIndex(of: "unit_grid_code"), let evalColumn = header.firstIndex(of: "eval_grid_code") else {
            throw GeoError(code: .invalidCSV, message: "the mapping file needs columns unit_grid_code and eval_grid_code", location: "line 1")
        }
        var geometryByCode: [String: Geometry] = [:]
        for grid in unitGrids {
            if let code = grid.properties["code"]?.stringValue, let geometry = grid.geometry { geometryByCode[code] = geometry }
        }
        var members: [String: [String]] = [:]
        var attributes: [String: [String: String]] = [:]
        for record in records.dropFirst() {
            let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            let line = record.line
            guard cells.count == header.count else {
                throw GeoError(code: .invalidCSV, message: "line \(line) has \(cells.count) fields, the header \(header.count)", location: "line \(line)")
            }
            let unit = cells[unitColumn]
            let evaluation = cells[evalColumn]
            guard geometryByCode[unit] != nil else {
                throw GeoError(code: .invalidCSV, message: "line \(line): unit grid \(unit) is not in the unit-grid layer", location: "line \(line)")
            }
            guard evaluation.count == 12, evaluation.allSatisfy(\.isNumber), evaluation.prefix(9) == unit.prefix(9) else {
                throw GeoError(
                    code: .invalidCSV, message: "line \(line): evaluation grid \(evaluation) is not 12 digits starting with its unit grid's street \(unit.prefix(9))",
                    location: "line \(line)")
            }
            members[evaluation, default: []].append(unit)
            if attributes[evaluation] == nil { attributes[evaluation] = Dictionary(uniqueKeysWithValues: zip(header, cells)) }
        }
        return try members.keys.sorted().map { code in
            let units = members[code]!.sorted()
            let geometries = units.map { geometryByCode[$0]! }
            let values = attributes[code]!
            var grid = EvaluationGrid(
                code: code, streetCode: String(code.prefix(9)), memberCodes: units,
                areaSquareMetres: try geometries.reduce(0) { $0 + (try engine.geodesicArea($1)) }, areaClass: values["type"].flatMap { $0.isEmpty ? nil : $0 },
                geometry: try engine.unaryUnion(geometries))
            grid.firstDivisionDate = values["first_division_date"].flatMap { $0.isEmpty ? nil : $0 }
            grid.changeDate = values["change_date"].flatMap { $0.isEmpty ? nil : $0 }
            grid.remarks = values["remarks"] ?? ""
            return grid
        }
    }
}

/// What is wrong with an evaluation-grid layer: area outside 0.5-3 km², or parts that do not touch.
public struct EvaluationGridProblem: Hashable, Sendable {
    public let code: String
    public let message: String
}

extension EvaluationGridBuilder {
    /// Every grid outside the area rule or not contiguous, with a message naming it.
    public func validate(_ grids: [EvaluationGrid]) -> [EvaluationGridProblem] {
        var problems: [EvaluationGridProblem] = []
        for grid in grids {
            let km2 = grid.areaSquareMetres / 1e6
            if grid.areaSquareMetres < minimumArea {
                problems.append(.init(code: grid.code, message: "evaluation grid \(grid.code) covers \(km2.rounded3) km², under the 0.5 km² floor"))
            }
            if grid.areaSquareMetres > maximumArea {
                problems.append(.init(code: grid.code, message: "evaluation grid \(grid.code) covers \(km2.rounded3) km², over the 3 km² ceiling"))
            }
            if grid.geometry.polygons.count != 1 {
                problems.append(.init(code: grid.code, message: "evaluation grid \(grid.code) falls apart into \(grid.geometry.polygons.count) pieces"))
            }
            if grid.code.count != 12 || !grid.code.allSatisfy(\.isNumber) {
                problems.append(.init(code: grid.code, message: "evaluation grid code \(grid.code) is not 12 digits"))
            }
        }
        return problems
    }
}

extension Double {
    var rounded3: Double { (self * 1_000).rounded() / 1_000 }
}

extension EvaluationGridBuilder {
    /// Sets each grid's A/B/C class to the class (feature property `class`) holding most of its unit grids'
    /// centres; ties go to the alphabetically first class.
    public func assignClasses(_ grids: inout [EvaluationGrid], unitGrids: [Feature], classes: [Feature]) {
        let index = PolygonIndex(classes.map(\.geometry))
        let names = classes.map { $0.properties["class"]?.stringValue }
        var centres: [String: Coordinate] = [:]
        for grid in unitGrids {
            if let code = grid.properties["code"]?.stringValue, let box = grid.geometry?.boundingBox { centres[code] = box.center }
        }
        for k in grids.indices {
            var votes: [String: Int] = [:]
            for member in grids[k].memberCodes {
                if let centre = centres[member], let hit = index.locate(centre), let name = names[hit] { votes[name, default: 0] += 1 }
            }
            grids[k].areaClass = votes.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
    }
}
