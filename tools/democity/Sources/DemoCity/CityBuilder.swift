import GeoCore

/// Builds the demo city step by step in metres. One builder per generation; not shared across tasks.
struct CityBuilder {
    let scale: Double
    /// The seed of the generation (components draw from a stream derived from it).
    let seed: UInt64
    var rng: SeededGenerator
    let geometry: GeometryBridge
    /// The real district boundary, in metres.
    let district: [Polygon]
    var model = CityModel()
    var core: UrbanCore
    /// Where every unit grid lives: the core lattice and each town seat's lattice, cell → index in `model.unitGrids`.
    var gridLocator = GridLocator()
    /// Town seat lattices by town code.
    var seats: [String: CellLattice] = [:]
    /// Core blocks crossed by a lane or the pedestrian street (no compound is placed there).
    var blocksWithLanes = Set<Block>()
    var cityCentre: Coordinate

    init(seed: UInt64, scale: Double, districtDegrees: [Polygon], geometry: GeometryBridge) throws {
        self.scale = scale
        self.seed = seed
        self.rng = SeededGenerator(seed: seed)
        self.geometry = geometry
        let district = try districtDegrees.map { try geometry.toMetres($0) }
        self.district = district
        let centre = try geometry.toMetres(
            Coordinate(longitude: Gazetteer.cityCentre.longitude, latitude: Gazetteer.cityCentre.latitude))
        self.cityCentre = centre
        core = UrbanCore.layout(centre: centre, scale: scale, rng: &rng) { p in
            district.contains { Planar.polygon($0, contains: p) }
        }
    }

    /// Runs every step in order; the order matters for reproducibility (each step draws from `rng`).
    mutating func build() throws -> CityModel {
        model.regions.append(
            Region(
                code: Gazetteer.districtCode, name: Gazetteer.districtName, level: .district, parentCode: Gazetteer.cityCode,
                aliases: ["大丰"], formerNames: [(Gazetteer.districtFormerName, Gazetteer.districtRenamed)], polygons: district))
        buildUrbanStreets()
        try buildTowns()
        buildCoreRoads()
        try buildTownRoads()
        generatePlates()
        buildCompounds()
        try buildPointsOfInterest()
        try buildRivers()
        buildSamplePoints()
        buildAreaClasses()
        // Last and from their own stream: components leave the rest of the city as it was without them.
        buildComponents(seed: seed)
        return model
    }

    // MARK: Urban core

    /// Communities, unit grids and the two streets of the core.
    mutating func buildUrbanStreets() {
        let groups = core.communityGroups(rng: &rng)
        // The street boundary runs roughly north-south through the centre, with a step every other group row.
        let middleColumn = Double(core.blockColumnCount) / 2
        var communitiesByStreet: [String: [[Block]]] = [:]
        for group in groups {
            let meanColumn = Double(group.map(\.column).reduce(0, +)) / Double(group.count)
            let step = group[0].row % 4 < 2 ? 0.0 : 1.0
            let street = meanColumn < middleColumn + step - 0.5 ? Gazetteer.urbanStreets[0] : Gazetteer.urbanStreets[1]
            communitiesByStreet[street.code, default: []].append(group)
        }
        var communityNames = NamePool(stems: Gazetteer.communityStems, suffix: "社区", rng: &rng)
        var gridIndex: [LatticeCell: Int] = [:]
        for street in Gazetteer.urbanStreets {
            var streetCells = Set<LatticeCell>()
            for (k, group) in (communitiesByStreet[street.code] ?? []).enumerated() {
                let communityCode = street.code + format3(k + 1)
                let cells = group.flatMap { core.cells(of: $0) }
                streetCells.formUnion(cells)
                for (m, cell) in cells.sorted().enumerated() {
                    gridIndex[cell] = model.unitGrids.count
                    model.unitGrids.append(
                        UnitGrid(
                            code: communityCode + format3(m + 1), communityCode: communityCode, streetCode: street.code,
                            ring: core.lattice.ring(of: cell), areaSquareMetres: core.lattice.area(of: cell)))
                }
                model.regions.append(
                    Region(
                        code: communityCode, name: communityNames.next(rng: &rng), level: .community, parentCode: street.code,
                        polygons: core.lattice.outline(of: Set(cells))))
            }
            var region = Region(
                code: street.code, name: street.name, level: .street, parentCode: Gazetteer.districtCode,
                aliases: street.aliases, polygons: core.lattice.outline(of: streetCells))
            if let former = street.formerName, let until = street.formerUntil { region.formerNames = [(former, until)] }
            model.regions.append(region)
        }
        gridLocator.add(core.lattice, gridIndex)
    }

    /// The core's outline in metres.
    var coreOutline: [Polygon] {
        core.lattice.outline(of: Set(core.blocks.flatMap { core.cells(of: $0) }))
    }

    // MARK: Towns

    /// Town polygons (Voronoi cells of the town seats, inside the district, outside the core), each with a
    /// seat of two communities tiled by unit grids and villages covering the rest.
    mutating func buildTowns() throws {
        let outline = coreOutline
        let seatPoints = try Gazetteer.towns.map {
            try geometry.toMetres(Coordinate(longitude: $0.seatLongitude, latitude: $0.seatLatitude))
        }
        let cells = try geometry.voronoiCells(of: seatPoints, covering: district)
        var villageNames = NamePool(stems: Gazetteer.villageStems, suffix: "村", rng: &rng)
        for (k, town) in Gazetteer.towns.enumerated() {
            let territory = try geometry.difference(geometry.intersection(cells[k], district), outline)
            guard !territory.isEmpty else { continue }
            let seat = seatLattice(around: seatPoints[k], within: territory)
            var villagesArea = territory
            if let seat {
                seats[town.code] = seat
                let seatOutline = seat.outline(of: Set(allCells(of: seat)))
                villagesArea = try geometry.difference(territory, seatOutline)
                addSeatCommunities(town: town, lattice: seat)
            }
            try addVillages(town: town, area: villagesArea, names: &villageNames)
            model.regions.append(
                Region(
                    code: town.code, name: town.name, level: .town, parentCode: Gazetteer.districtCode,
                    aliases: [town.stem] + town.aliases, polygons: territory))
        }
    }

    /// A lattice of ~100 m cells, about 1 km x 0.8 km, centred on the seat, shrunk until it fits the territory.
    mutating func seatLattice(around seat: Coordinate, within territory: [Polygon]) -> CellLattice? {
        var columns = 10
        var rows = 8
        let cellWidth = 95.0 + 2.0 * Double(rng.int(in: 0...5))
        let cellHeight = 95.0 + 2.0 * Double(rng.int(in: 0...5))
        while columns >= 4 && rows >= 4 {
            let width = cellWidth * Double(columns)
            let height = cellHeight * Double(rows)
            let lattice = CellLattice(
                xLines: CellLattice.subdivide(from: seat.x - width / 2, length: width, parts: columns) + [seat.x + width / 2],
                yLines: CellLattice.subdivide(from: seat.y - height / 2, length: height, parts: rows) + [seat.y + height / 2])
            let corners = [
                lattice.vertex(0, 0), lattice.vertex(columns, 0), lattice.vertex(columns, rows), lattice.vertex(0, rows),
                lattice.vertex(columns / 2, rows / 2),
            ]
            if corners.allSatisfy({ p in territory.contains { Planar.polygon($0, contains: p) } }) { return lattice }
            columns -= 2
            rows -= 2
        }
        return nil
    }

    func allCells(of lattice: CellLattice) -> [LatticeCell] {
        (0..<lattice.columnCount).flatMap { c in (0..<lattice.rowCount).map { r in LatticeCell(column: c, row: r) } }
    }

    /// Splits a seat lattice into a western and an eastern community, each tiled by its cells.
    mutating func addSeatCommunities(town: Gazetteer.Town, lattice: CellLattice) {
        let split = lattice.columnCount / 2
        let names = ["\(town.stem)社区", "\(town.stem)新区社区"]
        var gridIndex: [LatticeCell: Int] = [:]
        for (k, columns) in [0..<split, split..<lattice.columnCount].enumerated() {
            let communityCode = town.code + format3(k + 1)
            let cells = columns.flatMap { c in (0..<lattice.rowCount).map { LatticeCell(column: c, row: $0) } }
            for (m, cell) in cells.sorted().enumerated() {
                gridIndex[cell] = model.unitGrids.count
                model.unitGrids.append(
                    UnitGrid(
                        code: communityCode + format3(m + 1), communityCode: communityCode, streetCode: town.code,
                        ring: lattice.ring(of: cell), areaSquareMetres: lattice.area(of: cell)))
            }
            model.regions.append(
                Region(
                    code: communityCode, name: names[k], level: .community, parentCode: town.code,
                    polygons: lattice.outline(of: Set(cells))))
        }
        gridLocator.add(lattice, gridIndex)
    }

    /// Villages: Voronoi cells of random points inside the town's rural area. Village codes start at 201,
    /// as in the statistical division codes (居委会 0xx-1xx, 村委会 2xx).
    mutating func addVillages(town: Gazetteer.Town, area: [Polygon], names: inout NamePool) throws {
        guard let box = BoundingBox(coordinates: area.flatMap(\.exterior)) else { return }
        let count = 8 + rng.int(in: 0...6)
        var points: [Coordinate] = []
        var attempts = 0
        while points.count < count && attempts < 10_000 {
            attempts += 1
            let p = Coordinate(x: rng.uniform(box.minX...box.maxX), y: rng.uniform(box.minY...box.maxY))
            if area.contains(where: { Planar.polygon($0, contains: p) }),
                points.allSatisfy({ Planar.distance($0, p) > 800 })
            {
                points.append(p)
            }
        }
        // West to east, then north to south, so village codes read across the map.
        points.sort { ($0.y / 2_000).rounded() != ($1.y / 2_000).rounded() ? $0.y > $1.y : $0.x < $1.x }
        let cells = try geometry.voronoiCells(of: points, covering: area)
        var sequence = 201
        for cell in cells {
            let village = try geometry.intersection(cell, area)
            guard !village.isEmpty else { continue }
            model.regions.append(
                Region(
                    code: town.code + format3(sequence), name: names.next(rng: &rng), level: .village,
                    parentCode: town.code, polygons: village))
            sequence += 1
        }
    }

    // MARK: Lookups

    /// The unit grid at a point, if any.
    func unitGrid(at p: Coordinate) -> UnitGrid? {
        gridLocator.gridIndex(at: p).map { model.unitGrids[$0] }
    }

    /// The street or town holding a point (by unit grid where there is one, else by town polygon).
    func streetCode(at p: Coordinate) -> String? {
        if let grid = unitGrid(at: p) { return grid.streetCode }
        return model.regions.first { ($0.level == .town) && $0.polygons.contains { Planar.polygon($0, contains: p) } }?.code
    }
}

/// Finds the unit grid under a point through the lattices that hold grids.
struct GridLocator {
    private var lattices: [(lattice: CellLattice, grids: [LatticeCell: Int])] = []

    mutating func add(_ lattice: CellLattice, _ grids: [LatticeCell: Int]) { lattices.append((lattice, grids)) }

    func gridIndex(at p: Coordinate) -> Int? {
        for (lattice, grids) in lattices {
            if let cell = lattice.cell(containing: p), let index = grids[cell] { return index }
        }
        return nil
    }
}

/// Unique names from stems: every stem once in a shuffled order, then with direction prefixes, then numbered.
struct NamePool {
    private var queue: [String]
    private var used = Set<String>()
    private let stems: [String]
    private let suffix: String
    private var round = 0

    init(stems: [String], suffix: String, rng: inout SeededGenerator) {
        self.stems = stems
        self.suffix = suffix
        queue = rng.shuffled(stems).map { $0 + suffix }
    }

    mutating func next(rng: inout SeededGenerator) -> String {
        while true {
            if queue.isEmpty {
                round += 1
                let prefixes = ["东", "西", "南", "北", "新", "中"]
                let prefix = round <= prefixes.count ? prefixes[round - 1] : "第\(round)"
                queue = rng.shuffled(stems).map { prefix + $0 + suffix }
            }
            let name = queue.removeFirst()
            if used.insert(name).inserted { return name }
        }
    }
}
