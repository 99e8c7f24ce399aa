import GeoCore

/// A component (部件, GB/T 30428.2): a piece of city furniture with its 16-digit identifier.
struct CityComponent {
    /// Class code (10 digits) + 6-digit serial within the class.
    let code: String
    let kind: ComponentKind
    let position: Coordinate
    let gridCode: String
    /// The name of the nearest road.
    let road: String
    let status: String
}

/// The component classes the demo city places, with GB/T 30428.2-style codes: 大类 (two digits) and 小类 (two
/// digits, 01–79 national, 80–99 local). The 小类 numbers are the demo city's own, in the standard's style.
enum ComponentKind: CaseIterable {
    case waterSupplyCover, sewageCover, rainwaterCover, streetLight, fireHydrant
    case busShelter, trafficSignal, surveillanceCamera
    case litterBin, newsstand
    case streetTree

    /// 大类 code and name.
    var category: (code: String, name: String) {
        switch self {
        case .waterSupplyCover, .sewageCover, .rainwaterCover, .streetLight, .fireHydrant: ("01", "公用设施")
        case .busShelter, .trafficSignal: ("02", "道路交通")
        case .litterBin, .newsstand: ("03", "市容环境")
        case .streetTree: ("04", "园林绿化")
        case .surveillanceCamera: ("06", "其他设施")
        }
    }

    /// 小类 code and name.
    var subclass: (code: String, name: String) {
        switch self {
        case .waterSupplyCover: ("01", "上水井盖")
        case .sewageCover: ("02", "污水井盖")
        case .rainwaterCover: ("03", "雨水井盖")
        case .fireHydrant: ("15", "消防栓")
        case .streetLight: ("20", "路灯")
        case .busShelter: ("03", "公交站亭")
        case .trafficSignal: ("11", "交通信号灯")
        case .litterBin: ("04", "垃圾箱")
        case .newsstand: ("05", "报刊亭")
        case .streetTree: ("02", "行道树")
        case .surveillanceCamera: ("12", "监控电子眼")
        }
    }

    /// The 10-digit class code in a district: 6-digit district code + 大类 + 小类.
    func classCode(district: String) -> String { district + category.code + subclass.code }
}

extension CityBuilder {
    /// The seed of the component stream: derived from the city's seed so that components never draw from the
    /// main stream (adding them left every other file of the city unchanged).
    static func componentSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x6275_6A69_616E_3031 }

    /// Components of the urban core (丰华街道 and 大中街道): manhole covers in the carriageway, street lights,
    /// hydrants, bins and trees along the kerbs, bus shelters and newsstands on the main roads, signals and
    /// cameras at crossings, and covers, bins and lights inside compounds. Drawn from their own random stream,
    /// after everything else, so that the rest of the city does not depend on them.
    mutating func buildComponents(seed: UInt64) {
        var rng = SeededGenerator(seed: Self.componentSeed(seed))
        let coreStreets = Set(Gazetteer.urbanStreets.map(\.code))
        let coreKinds: [RoadKind] = [.arterial, .secondary, .lane, .pedestrian]
        let roads = model.roads.filter { coreKinds.contains($0.kind) }
        let crossings = roadCrossings()
        var placed: [(kind: ComponentKind, position: Coordinate, grid: UnitGrid)] = []

        func place(_ kind: ComponentKind, _ p: Coordinate) {
            guard let grid = unitGrid(at: p), coreStreets.contains(grid.streetCode) else { return }
            placed.append((kind, p, grid))
        }

        // Along the roads: each kind at its own spacing (metres, jittered), side and distance from the centre
        // line (scaled down on narrow lanes); never within 15 m of a crossing.
        struct Rule {
            let kind: ComponentKind
            let spacing: Double
            let offset: ClosedRange<Double>
            let roadKinds: [RoadKind]
        }
        let rules: [Rule] = [
            Rule(kind: .streetLight, spacing: 160, offset: 9...11, roadKinds: coreKinds),
            Rule(kind: .rainwaterCover, spacing: 210, offset: 5...7, roadKinds: coreKinds),
            Rule(kind: .sewageCover, spacing: 320, offset: 2...4, roadKinds: coreKinds),
            Rule(kind: .waterSupplyCover, spacing: 420, offset: 3...5, roadKinds: [.arterial, .secondary]),
            Rule(kind: .fireHydrant, spacing: 420, offset: 10...12, roadKinds: coreKinds),
            Rule(kind: .litterBin, spacing: 380, offset: 11...13, roadKinds: coreKinds),
            Rule(kind: .streetTree, spacing: 480, offset: 12...14, roadKinds: [.arterial, .secondary]),
            Rule(kind: .busShelter, spacing: 650, offset: 12...13, roadKinds: [.arterial]),
        ]
        for (index, road) in model.roads.enumerated() where coreKinds.contains(road.kind) {
            let length = Planar.length(of: road.line)
            let width = road.kind == .arterial ? 1.0 : road.kind == .secondary ? 0.8 : 0.45
            for rule in rules where rule.roadKinds.contains(road.kind) {
                var along = rng.uniform(15...(15 + rule.spacing))
                var left = rng.chance(0.5)
                while along < length - 15 {
                    if !crossings[index].contains(where: { abs($0 - along) < 15 }) {
                        let offset = rng.uniform(rule.offset) * width
                        place(rule.kind, offsetPoint(on: road.line, at: along, left: left ? offset : -offset))
                    }
                    left.toggle()
                    along += rule.spacing * rng.uniform(0.8...1.2)
                }
            }
        }

        // Newsstands on the main roads of the commercial core (A areas).
        for (index, road) in model.roads.enumerated() where road.kind == .arterial || road.kind == .pedestrian {
            let length = Planar.length(of: road.line)
            var along = rng.uniform(40...200)
            while along < length - 20 {
                let p = offsetPoint(on: road.line, at: along, left: rng.chance(0.5) ? 14 : -14)
                let block = core.lattice.cell(containing: p).map { core.block(of: $0) }
                if let block, core.blocks.contains(block), core.areaClass(of: block, scale: scale) == "A",
                    !crossings[index].contains(where: { abs($0 - along) < 20 }), rng.chance(0.6)
                {
                    place(.newsstand, p)
                }
                along += rng.uniform(250...400)
            }
        }

        // Signals at crossings with a main road (two poles on opposite corners), a camera where two arterials meet.
        var crossingPoints: [(Coordinate, Bool)] = []
        var seen = Set<String>()
        for a in roads where a.kind == .arterial {
            for b in roads where b.kind == .arterial || b.kind == .secondary {
                guard a.id != b.id, b.kind == .secondary || a.id < b.id else { continue }
                guard let t = segmentIntersection(a.line[0], a.line[1], b.line[0], b.line[1]) else { continue }
                let p = Coordinate(x: a.line[0].x + (a.line[1].x - a.line[0].x) * t, y: a.line[0].y + (a.line[1].y - a.line[0].y) * t)
                if seen.insert("\(Int(p.x.rounded())),\(Int(p.y.rounded()))").inserted { crossingPoints.append((p, b.kind == .arterial)) }
            }
        }
        for (p, major) in crossingPoints {
            let corner = rng.chance(0.5) ? 1.0 : -1.0
            place(.trafficSignal, Coordinate(x: p.x + 12 * corner, y: p.y + 12))
            place(.trafficSignal, Coordinate(x: p.x - 12 * corner, y: p.y - 12))
            if major { place(.surveillanceCamera, Coordinate(x: p.x + 13 * corner, y: p.y - 13)) }
        }

        // Inside compounds: covers, bins and lights between the buildings.
        for compound in model.compounds {
            guard let box = BoundingBox(coordinates: compound.polygon.exterior) else { continue }
            let kinds: [ComponentKind] =
                [.sewageCover, .rainwaterCover, .litterBin, .litterBin, .streetLight] + (rng.chance(0.5) ? [.fireHydrant] : [])
            for kind in kinds {
                place(kind, Coordinate(x: rng.uniform((box.minX + 5)...(box.maxX - 5)), y: rng.uniform((box.minY + 5)...(box.maxY - 5))))
            }
        }

        // Serial numbers per class in a fixed reading order (north to south, west to east), so that codes are
        // stable and read across the map.
        placed.sort { a, b in
            if a.kind.classCode(district: Gazetteer.districtCode) != b.kind.classCode(district: Gazetteer.districtCode) {
                return a.kind.classCode(district: Gazetteer.districtCode) < b.kind.classCode(district: Gazetteer.districtCode)
            }
            let rowA = (a.position.y / 50).rounded(.down), rowB = (b.position.y / 50).rounded(.down)
            return rowA != rowB ? rowA > rowB : a.position.x < b.position.x
        }
        var serials: [String: Int] = [:]
        for item in placed {
            let classCode = item.kind.classCode(district: Gazetteer.districtCode)
            let serial = serials[classCode, default: 0] + 1
            serials[classCode] = serial
            let status = rng.uniform(0...1)
            model.components.append(
                CityComponent(
                    code: classCode + String(1_000_000 + serial).dropFirst(), kind: item.kind, position: item.position,
                    gridCode: item.grid.code, road: nearestRoad(to: item.position, among: roads)?.name ?? "",
                    status: status < 0.93 ? "完好" : status < 0.975 ? "破损" : status < 0.99 ? "丢失" : "占用"))
        }
    }

    /// The road whose centre line passes nearest to `p`.
    func nearestRoad(to p: Coordinate, among roads: [Road]) -> Road? {
        roads.min { distance(from: p, to: $0.line) < distance(from: p, to: $1.line) }
    }

    func distance(from p: Coordinate, to line: [Coordinate]) -> Double {
        var best = Double.infinity
        for k in 1..<line.count {
            let a = line[k - 1], b = line[k]
            let dx = b.x - a.x, dy = b.y - a.y
            let squared = dx * dx + dy * dy
            let t = squared > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / squared)) : 0
            best = min(best, Planar.distance(p, Coordinate(x: a.x + t * dx, y: a.y + t * dy)))
        }
        return best
    }
}
