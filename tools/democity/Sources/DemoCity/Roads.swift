import GeoCore

extension CityBuilder {
    /// Arterials (split into 东/西 or 南/北 halves at the centre and numbered outward from it), secondary roads,
    /// ring roads on the edge, lanes inside blocks and one pedestrian street.
    mutating func buildCoreRoads() {
        let lattice = core.lattice
        let centreColumn = core.roadColumns.min { abs(lattice.xLines[$0] - cityCentre.x) < abs(lattice.xLines[$1] - cityCentre.x) }!
        let centreRow = core.roadRows.min { abs(lattice.yLines[$0] - cityCentre.y) < abs(lattice.yLines[$1] - cityCentre.y) }!
        var eastWestStems = rng.shuffled(Gazetteer.eastWestRoadStems)[...]
        var northSouthStems = rng.shuffled(Gazetteer.northSouthRoadStems)[...]
        var plannedNumber = (eastWest: 0, northSouth: 0)

        // East-west roads along every road row.
        for (k, row) in core.roadRows.enumerated() {
            let present = (0..<core.blockColumnCount).filter {
                core.blocks.contains(Block(column: $0, row: k - 1)) || core.blocks.contains(Block(column: $0, row: k))
            }
            guard let first = present.first, let last = present.last else { continue }
            let y = lattice.yLines[row]
            let west = Coordinate(x: lattice.xLines[core.roadColumns[first]], y: y)
            let east = Coordinate(x: lattice.xLines[core.roadColumns[last + 1]], y: y)
            let middle = Coordinate(x: lattice.xLines[centreColumn], y: y)
            if k == 0 || k == core.roadRows.count - 1 {
                addRoad(name: k == 0 ? "南环路" : "北环路", kind: .arterial, from: west, to: east, numberFrom: middle)
            } else if k % 2 == 0 {
                let stem = eastWestStems.popFirst() ?? { plannedNumber.eastWest += 1; return "纬\(plannedNumber.eastWest)" }()
                addSplitArterial(stem: stem, halves: ("西路", "东路"), start: west, middle: middle, end: east)
            } else {
                let stem = eastWestStems.popFirst() ?? { plannedNumber.eastWest += 1; return "纬\(plannedNumber.eastWest)" }()
                addRoad(name: stem + "路", kind: .secondary, from: west, to: east, numberFrom: middle)
            }
        }
        // North-south roads along every road column.
        for (k, column) in core.roadColumns.enumerated() {
            let present = (0..<core.blockRowCount).filter {
                core.blocks.contains(Block(column: k - 1, row: $0)) || core.blocks.contains(Block(column: k, row: $0))
            }
            guard let first = present.first, let last = present.last else { continue }
            let x = lattice.xLines[column]
            let south = Coordinate(x: x, y: lattice.yLines[core.roadRows[first]])
            let north = Coordinate(x: x, y: lattice.yLines[core.roadRows[last + 1]])
            let middle = Coordinate(x: x, y: lattice.yLines[centreRow])
            if k == 0 || k == core.roadColumns.count - 1 {
                addRoad(name: k == 0 ? "西环路" : "东环路", kind: .arterial, from: south, to: north, numberFrom: middle)
            } else if k % 2 == 0 {
                let stem = northSouthStems.popFirst() ?? { plannedNumber.northSouth += 1; return "经\(plannedNumber.northSouth)" }()
                addSplitArterial(stem: stem, halves: ("南路", "北路"), start: south, middle: middle, end: north)
            } else {
                let stem = northSouthStems.popFirst() ?? { plannedNumber.northSouth += 1; return "经\(plannedNumber.northSouth)" }()
                addRoad(name: stem + "路", kind: .secondary, from: south, to: north, numberFrom: middle)
            }
        }

        // The pedestrian street runs through the middle of the block nearest the centre.
        let centreBlock = core.blocks.min {
            Planar.distance(core.bounds(of: $0).center, cityCentre) < Planar.distance(core.bounds(of: $1).center, cityCentre)
        }!
        addLane(in: centreBlock, horizontal: true, name: "大丰老街", kind: .pedestrian, aliases: ["老街", "老街步行街"])
        var laneNames = NamePool(stems: Gazetteer.laneStems, suffix: "", rng: &rng)
        for block in core.blocks.sorted() where block != centreBlock && rng.chance(0.35) {
            let stem = laneNames.next(rng: &rng)
            addLane(in: block, horizontal: rng.chance(0.5), name: stem + (rng.chance(0.85) ? "巷" : "街"), kind: .lane, aliases: [])
        }
    }

    /// A lane along an interior lattice line of a block, from road to road, numbered from the end nearer the centre.
    mutating func addLane(in block: Block, horizontal: Bool, name: String, kind: RoadKind, aliases: [String]) {
        let box = core.bounds(of: block)
        let lattice = core.lattice
        let (lowLine, highLine) =
            horizontal
            ? (core.roadRows[block.row], core.roadRows[block.row + 1])
            : (core.roadColumns[block.column], core.roadColumns[block.column + 1])
        guard highLine - lowLine >= 2 else { return }
        blocksWithLanes.insert(block)
        let line = kind == .pedestrian ? (lowLine + highLine) / 2 : rng.int(in: (lowLine + 1)...(highLine - 1))
        let (a, b) =
            horizontal
            ? (Coordinate(x: box.minX, y: lattice.yLines[line]), Coordinate(x: box.maxX, y: lattice.yLines[line]))
            : (Coordinate(x: lattice.xLines[line], y: box.minY), Coordinate(x: lattice.xLines[line], y: box.maxY))
        addRoad(name: name, kind: kind, from: a, to: b, numberFrom: cityCentre, aliases: aliases)
    }

    /// Two halves of an arterial, each numbered outward from the centre line, sharing the stem as an alias.
    mutating func addSplitArterial(stem: String, halves: (String, String), start: Coordinate, middle: Coordinate, end: Coordinate) {
        if Planar.distance(start, middle) > 1 {
            model.roads.append(Road(id: nextRoadID(), name: stem + halves.0, aliases: [stem + "路"], kind: .arterial, line: [middle, start]))
        }
        if Planar.distance(middle, end) > 1 {
            model.roads.append(Road(id: nextRoadID(), name: stem + halves.1, aliases: [stem + "路"], kind: .arterial, line: [middle, end]))
        }
    }

    /// A straight road, oriented so that numbering starts at the end nearer `numberFrom`.
    mutating func addRoad(
        name: String, kind: RoadKind, from a: Coordinate, to b: Coordinate, numberFrom origin: Coordinate, aliases: [String] = []
    ) {
        let line = Planar.distance(a, origin) <= Planar.distance(b, origin) ? [a, b] : [b, a]
        model.roads.append(Road(id: nextRoadID(), name: name, aliases: aliases, kind: kind, line: line))
    }

    func nextRoadID() -> String { "R" + String(10_000 + model.roads.count).dropFirst() }

    /// Town streets through each seat and county roads from the core to every seat.
    mutating func buildTownRoads() throws {
        let coreBox = BoundingBox(coordinates: coreOutline.flatMap(\.exterior))!
        for town in Gazetteer.towns {
            guard let seat = seats[town.code] else { continue }
            let middleY = seat.yLines[seat.rowCount / 2]
            let middleX = seat.xLines[seat.columnCount / 2]
            let west = Coordinate(x: seat.xLines[0] - 400, y: middleY)
            let east = Coordinate(x: seat.xLines[seat.columnCount] + 400, y: middleY)
            let south = Coordinate(x: middleX, y: seat.yLines[0] - 400)
            let north = Coordinate(x: middleX, y: seat.yLines[seat.rowCount] + 400)
            model.roads.append(Road(id: nextRoadID(), name: town.stem + "大街", aliases: [town.stem + "街"], kind: .townStreet, line: [west, east]))
            model.roads.append(Road(id: nextRoadID(), name: town.stem + "路", aliases: [], kind: .townStreet, line: [south, north]))

            // County road: from the edge of the core towards the seat, with a kink so it does not look ruled.
            let target = Coordinate(x: middleX, y: middleY)
            let start = pointOnBoxEdge(coreBox, towards: target)
            let kinkAt = 0.4 + 0.2 * rng.nextUnit()
            let normal = Coordinate(x: -(target.y - start.y), y: target.x - start.x)
            let offset = rng.uniform(-0.08...0.08)
            let kink = Coordinate(
                x: start.x + (target.x - start.x) * kinkAt + normal.x * offset,
                y: start.y + (target.y - start.y) * kinkAt + normal.y * offset)
            model.roads.append(
                Road(id: nextRoadID(), name: town.stem + "公路", aliases: ["大\(town.stem)线"], kind: .countyRoad, line: [start, kink, target]))
        }
    }

    /// Where the ray from the box centre to `target` leaves the box.
    func pointOnBoxEdge(_ box: BoundingBox, towards target: Coordinate) -> Coordinate {
        let c = box.center
        let dx = target.x - c.x
        let dy = target.y - c.y
        let tx = dx == 0 ? Double.infinity : (dx > 0 ? box.maxX - c.x : box.minX - c.x) / dx
        let ty = dy == 0 ? Double.infinity : (dy > 0 ? box.maxY - c.y : box.minY - c.y) / dy
        let t = min(tx, ty)
        return Coordinate(x: c.x + dx * t, y: c.y + dy * t)
    }

    // MARK: Door plates

    /// Plates every 24-40 m on both sides of every street that has frontage in a unit grid: odd numbers on the
    /// left of the numbering direction, even on the right. Numbers advance even where no plate is placed
    /// (vacant frontage), so the book has gaps a geocoder must interpolate across; about 3 % of plates get
    /// an in-between plate (甲 or -1) a few metres further on.
    mutating func generatePlates() {
        let crossings = roadCrossings()
        let setback = 18.0
        for (roadIndex, road) in model.roads.enumerated() {
            guard [.arterial, .secondary, .lane, .pedestrian, .townStreet].contains(road.kind) else { continue }
            let length = Planar.length(of: road.line)
            var along = 12.0
            var nextOdd = 1
            var nextEven = 2
            var streets = Set<String>()
            while along < length - 12 {
                if crossings[roadIndex].contains(where: { abs($0 - along) < 20 }) {
                    along += 8
                    continue
                }
                for odd in [true, false] {
                    let number = odd ? nextOdd : nextEven
                    if odd { nextOdd += 2 } else { nextEven += 2 }
                    let position = offsetPoint(on: road.line, at: along, left: odd ? setback : -setback)
                    guard let grid = unitGrid(at: position), rng.chance(0.88) else { continue }
                    addPlate(road: road, number: number, suffix: "", at: position, grid: grid)
                    streets.insert(grid.streetCode)
                    if rng.chance(0.03) {
                        let extra = offsetPoint(on: road.line, at: min(along + 6, length), left: odd ? setback : -setback)
                        if let extraGrid = unitGrid(at: extra) {
                            addPlate(road: road, number: number, suffix: rng.chance(0.5) ? "甲" : "-1", at: extra, grid: extraGrid)
                        }
                    }
                }
                along += rng.uniform(24...40)
            }
            model.roads[roadIndex].streetCodes = streets
        }
    }

    mutating func addPlate(road: Road, number: Int, suffix: String, at position: Coordinate, grid: UnitGrid) {
        model.plates.append(
            DoorPlate(
                id: "DP" + String(10_000_000 + model.plates.count).dropFirst(), roadID: road.id, roadName: road.name,
                number: number, suffix: suffix, position: position, gridCode: grid.code,
                communityCode: grid.communityCode, streetCode: grid.streetCode))
    }

    /// For every road, the distances along it at which another road crosses or meets it.
    func roadCrossings() -> [[Double]] {
        let roads = model.roads
        var result = Array(repeating: [Double](), count: roads.count)
        let boxes = roads.map { BoundingBox(coordinates: $0.line)!.expanded(by: 1) }
        for a in roads.indices {
            for b in roads.indices where a != b && boxes[a].intersects(boxes[b]) {
                var start = 0.0
                for k in 1..<roads[a].line.count {
                    let p = roads[a].line[k - 1]
                    let q = roads[a].line[k]
                    for m in 1..<roads[b].line.count {
                        if let t = segmentIntersection(p, q, roads[b].line[m - 1], roads[b].line[m]) {
                            result[a].append(start + t * Planar.distance(p, q))
                        }
                    }
                    start += Planar.distance(p, q)
                }
            }
        }
        return result
    }

    /// The parameter t in [0, 1] along p→q where it meets r→s, if the segments touch.
    func segmentIntersection(_ p: Coordinate, _ q: Coordinate, _ r: Coordinate, _ s: Coordinate) -> Double? {
        let d1 = Coordinate(x: q.x - p.x, y: q.y - p.y)
        let d2 = Coordinate(x: s.x - r.x, y: s.y - r.y)
        let denominator = d1.x * d2.y - d1.y * d2.x
        guard abs(denominator) > 1e-9 else { return nil }
        let t = ((r.x - p.x) * d2.y - (r.y - p.y) * d2.x) / denominator
        let u = ((r.x - p.x) * d1.y - (r.y - p.y) * d1.x) / denominator
        let tolerance = 1e-9
        return (t >= -tolerance && t <= 1 + tolerance && u >= -tolerance && u <= 1 + tolerance) ? min(max(t, 0), 1) : nil
    }

    /// The point `along` metres down a polyline, moved `left` metres to its left (negative: right).
    func offsetPoint(on line: [Coordinate], at along: Double, left: Double) -> Coordinate {
        var remaining = along
        for k in 1..<line.count {
            let p = line[k - 1]
            let q = line[k]
            let segment = Planar.distance(p, q)
            if remaining <= segment || k == line.count - 1 {
                let t = segment > 0 ? min(remaining / segment, 1) : 0
                let ux = (q.x - p.x) / segment
                let uy = (q.y - p.y) / segment
                return Coordinate(x: p.x + (q.x - p.x) * t - uy * left, y: p.y + (q.y - p.y) * t + ux * left)
            }
            remaining -= segment
        }
        return line[0]
    }
}
