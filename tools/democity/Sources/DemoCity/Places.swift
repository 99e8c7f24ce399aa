import GeoCore

extension CityBuilder {
    // MARK: Compounds and buildings

    /// Residential compounds in about half of the B and C blocks (a third of A blocks), each with rows of
    /// buildings (幢) and a gate at the nearest door plate of its block.
    mutating func buildCompounds() {
        var names = NamePool(stems: Gazetteer.compoundNames, suffix: "", rng: &rng)
        let platesByCommunity = Dictionary(grouping: model.plates.indices, by: { model.plates[$0].communityCode })
        for block in core.blocks.sorted() where !blocksWithLanes.contains(block) {
            let areaClass = core.areaClass(of: block, scale: scale)
            guard rng.chance(areaClass == "A" ? 0.45 : 0.8) else { continue }
            let box = core.bounds(of: block)
            let inset = 25.0
            let width = (box.width - 2 * inset) * rng.uniform(0.45...0.9)
            let height = (box.height - 2 * inset) * rng.uniform(0.45...0.9)
            let west = rng.chance(0.5) ? box.minX + inset : box.maxX - inset - width
            let south = rng.chance(0.5) ? box.minY + inset : box.maxY - inset - height
            let rect = BoundingBox(minX: west, minY: south, maxX: west + width, maxY: south + height)
            guard let grid = unitGrid(at: rect.center),
                let gateIndex = platesByCommunity[grid.communityCode]?.min(by: {
                    Planar.distance(model.plates[$0].position, rect.center) < Planar.distance(model.plates[$1].position, rect.center)
                })
            else { continue }
            let name = names.next(rng: &rng)
            let compound = Compound(
                id: "C" + String(10_000 + model.compounds.count).dropFirst(), name: name,
                aliases: name.count > 3 ? [] : [name + "小区"], polygon: rect.polygon,
                gate: model.plates[gateIndex])
            model.compounds.append(compound)
            addBuildings(of: compound, in: rect)
        }
    }

    /// Rows of slab buildings 12 m deep, 40-60 m long, numbered 1… from the north-west.
    mutating func addBuildings(of compound: Compound, in rect: BoundingBox) {
        let length = rng.uniform(40...60)
        let floors = rng.pick([6, 6, 6, 11, 11, 18, 26])!
        var number = 1
        var top = rect.maxY - 12
        while top - 12 >= rect.minY + 8 {
            var left = rect.minX + 10
            while left + length <= rect.maxX - 10 {
                let footprint = BoundingBox(minX: left, minY: top - 12, maxX: left + length, maxY: top)
                if let grid = unitGrid(at: footprint.center) {
                    model.buildings.append(
                        Building(
                            id: "B" + String(1_000_000 + model.buildings.count).dropFirst(), compoundID: compound.id,
                            compoundName: compound.name, number: number, floors: floors, units: max(1, Int(length / 20)),
                            polygon: footprint.polygon, gridCode: grid.code))
                    number += 1
                }
                left += length + 15
            }
            top -= 12 + 30
        }
    }

    // MARK: Points of interest

    /// Landmarks at fixed places, then per-community services and shops at free door plates, then town seats.
    mutating func buildPointsOfInterest() throws {
        var freePlates = Dictionary(grouping: rng.shuffled(Array(model.plates.indices)), by: { model.plates[$0].communityCode })
        let communities = model.regions.filter { $0.level == .community }

        func takePlate(in community: String) -> DoorPlate? {
            guard let index = freePlates[community]?.popLast() else { return nil }
            return model.plates[index]
        }
        func plateNear(_ p: Coordinate) -> DoorPlate? {
            let best = model.plates.indices.min { Planar.distance(model.plates[$0].position, p) < Planar.distance(model.plates[$1].position, p) }
            return best.map { model.plates[$0] }
        }

        // Landmarks of the core, placed relative to the centre (metres east, north).
        let landmarks: [(String, String, [String], Double, Double)] = [
            ("大丰区人民政府", "政府机构", ["区政府", "大丰区政府"], 0, 0),
            ("大丰区人民医院", "医院", ["区人民医院", "大丰人民医院"], 900, 600),
            ("大丰区中医院", "医院", ["区中医院"], -1_100, 300),
            ("江苏省大丰高级中学", "学校", ["大丰中学", "大丰高级中学"], -1_500, -900),
            ("大丰站", "火车站或长途汽车站", ["大丰火车站", "大丰高铁站"], 2_600, 1_700),
            ("大丰汽车客运站", "火车站或长途汽车站", ["大丰汽车站", "大丰客运站"], -600, -1_800),
            ("大丰区公安局", "政府机构", ["区公安局"], 500, -400),
            ("丰华街道办事处", "政府机构", ["丰华街道办"], 1_800, -200),
            ("大中街道办事处", "政府机构", ["大中街道办"], -1_700, 200),
            ("人民广场", "广场", ["市民广场"], 300, 300),
        ]
        for (name, category, aliases, east, north) in landmarks {
            guard let plate = plateNear(Coordinate(x: cityCentre.x + east, y: cityCentre.y + north)) else { continue }
            addPOI(name: name, category: category, aliases: aliases, at: plate.position, plate: plate)
        }

        let shopBrands = ["苏果便利", "快客便利", "好又多超市", "易捷便利", "华联超市"]
        let eateries = ["鱼汤面馆", "面馆", "饺子馆", "包子铺", "小吃店", "快餐店", "烧烤店", "火锅店", "茶餐厅", "小龙虾馆"]
        let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "马", "胡", "郭"]
        let pharmacies = ["老百姓大药房", "益丰大药房", "国大药房"]
        let banks = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "江苏大丰农村商业银行", "交通银行"]
        var toiletCount: [String: Int] = [:]
        var school = NamePool(stems: Gazetteer.communityStems, suffix: "", rng: &rng)
        for (k, community) in communities.enumerated() {
            let stem = String(community.name.dropLast(2))
            if let plate = takePlate(in: community.code) {
                addPOI(name: community.name + "服务中心", category: "社区服务", aliases: [community.name + "居委会"], at: plate.position, plate: plate)
            }
            for _ in 0..<rng.int(in: 2...4) {
                guard let plate = takePlate(in: community.code) else { break }
                addPOI(name: "\(rng.pick(shopBrands)!)(\(plate.roadName)店)", category: "便利店", aliases: [], at: plate.position, plate: plate)
            }
            for _ in 0..<rng.int(in: 3...6) {
                guard let plate = takePlate(in: community.code) else { break }
                addPOI(name: "\(rng.pick(surnames)!)记\(rng.pick(eateries)!)", category: "餐饮", aliases: [], at: plate.position, plate: plate)
            }
            if rng.chance(0.6), let plate = takePlate(in: community.code) {
                addPOI(name: "\(rng.pick(pharmacies)!)(\(plate.roadName)店)", category: "药店", aliases: [], at: plate.position, plate: plate)
            }
            if k % 2 == 0, let plate = takePlate(in: community.code) {
                toiletCount[plate.roadName, default: 0] += 1
                addPOI(name: "\(plate.roadName)公厕\(toiletCount[plate.roadName]!)号", category: "公共厕所", aliases: [], at: plate.position, plate: plate)
            }
            if k % 3 == 0, let plate = takePlate(in: community.code) {
                addPOI(name: "\(rng.pick(banks)!)\(plate.roadName)支行", category: "银行", aliases: [], at: plate.position, plate: plate)
            }
            if k % 4 == 0, let plate = takePlate(in: community.code) {
                let schoolStem = school.next(rng: &rng)
                addPOI(name: "大丰区\(schoolStem)小学", category: "学校", aliases: ["\(schoolStem)小学"], at: plate.position, plate: plate)
            }
            if k % 5 == 0, let plate = takePlate(in: community.code) {
                addPOI(name: "\(stem)农贸市场", category: "农贸市场", aliases: ["\(stem)菜场"], at: plate.position, plate: plate)
            }
            if k % 6 == 0, let plate = takePlate(in: community.code) {
                addPOI(name: "\(stem)公园", category: "公园", aliases: [], at: plate.position, plate: plate)
            }
            if k % 9 == 4, let plate = takePlate(in: community.code) {
                addPOI(name: "\(stem)广场", category: "广场", aliases: [], at: plate.position, plate: plate)
            }
            if k % 8 == 3, let plate = takePlate(in: community.code) {
                addPOI(name: "中国石化\(plate.roadName)加油站", category: "加油站", aliases: [], at: plate.position, plate: plate)
            }
            if k % 10 == 7, let plate = takePlate(in: community.code) {
                addPOI(name: "\(stem)大酒店", category: "宾馆", aliases: [], at: plate.position, plate: plate)
            }
        }

        // Town seats: government, health centre, school, market, police station, bus station.
        for town in Gazetteer.towns where seats[town.code] != nil {
            let seatCommunity = town.code + "001"
            let services: [(String, String, [String])] = [
                ("大丰区\(town.name)人民政府", "政府机构", ["\(town.name)政府", "\(town.stem)镇政府"]),
                ("大丰区\(town.name)卫生院", "医院", ["\(town.stem)卫生院"]),
                ("大丰区\(town.name)中心小学", "学校", ["\(town.stem)中心小学"]),
                ("\(town.stem)农贸市场", "农贸市场", ["\(town.stem)菜场"]),
                ("大丰区公安局\(town.stem)派出所", "政府机构", ["\(town.stem)派出所"]),
                ("\(town.stem)汽车站", "火车站或长途汽车站", []),
                ("\(town.stem)公厕1号", "公共厕所", []),
            ]
            for (name, category, aliases) in services {
                guard let plate = takePlate(in: seatCommunity) ?? takePlate(in: town.code + "002") else { break }
                addPOI(name: name, category: category, aliases: aliases, at: plate.position, plate: plate)
            }
        }

        // Well-known rural places of the real district (approximate positions), kept if inside the district.
        let rural: [(String, String, [String], Double, Double)] = [
            ("荷兰花海", "景区", ["大丰荷兰花海"], 120.655, 33.245),
            ("中华麋鹿园", "景区", ["麋鹿保护区", "大丰麋鹿国家级自然保护区"], 120.800, 33.030),
            ("大丰港", "港口", ["大丰港区"], 120.830, 33.210),
        ]
        for (name, category, aliases, longitude, latitude) in rural {
            let p = try geometry.toMetres(Coordinate(longitude: longitude, latitude: latitude))
            guard district.contains(where: { Planar.polygon($0, contains: p) }) else { continue }
            addPOI(name: name, category: category, aliases: aliases, at: p, plate: nil)
        }
    }

    mutating func addPOI(name: String, category: String, aliases: [String], at position: Coordinate, plate: DoorPlate?) {
        let grid = unitGrid(at: position)
        guard let street = grid?.streetCode ?? streetCode(at: position) else { return }
        model.pois.append(
            PointOfInterest(
                id: "P" + String(1_000_000 + model.pois.count).dropFirst(), name: name, category: category, aliases: aliases,
                position: position, plate: plate, gridCode: grid?.code, communityCode: grid?.communityCode, streetCode: street))
    }

    // MARK: Rivers

    /// The district's real rivers, drawn through approximate real courses, trimmed to the district.
    mutating func buildRivers() throws {
        let courses: [(String, [(Double, Double)])] = [
            ("串场河", [(120.262, 33.50), (120.280, 33.38), (120.300, 33.28), (120.272, 33.17), (120.277, 33.08), (120.292, 32.95)]),
            ("川东港", [(120.400, 33.065), (120.520, 33.060), (120.650, 33.050), (120.780, 33.040), (120.860, 33.035)]),
            ("斗龙港", [(120.300, 33.470), (120.420, 33.455), (120.560, 33.470), (120.700, 33.480), (120.800, 33.470)]),
            ("王港河", [(120.540, 33.255), (120.620, 33.262), (120.700, 33.250), (120.800, 33.245), (120.860, 33.240)]),
            ("西潮河", [(120.380, 33.215), (120.330, 33.235), (120.280, 33.250), (120.240, 33.262)]),
        ]
        for (name, course) in courses {
            let line = try course.map { try geometry.toMetres(Coordinate(longitude: $0.0, latitude: $0.1)) }
                .filter { p in district.contains { Planar.polygon($0, contains: p) } }
            if line.count >= 2 { model.rivers.append(River(name: name, line: line)) }
        }
    }

    // MARK: Sample points

    /// Inspection sample points of the 14 types, derived from the features that carry them.
    mutating func buildSamplePoints() {
        func add(_ type: SamplePointType, _ name: String, _ p: Coordinate) {
            let grid = unitGrid(at: p)
            guard let street = grid?.streetCode ?? streetCode(at: p) else { return }
            let block = core.lattice.cell(containing: p).map { core.block(of: $0) }
            let areaClass = block.flatMap { core.blocks.contains($0) ? core.areaClass(of: $0, scale: scale) : nil } ?? "C"
            model.samplePoints.append(
                SamplePoint(
                    id: "SP" + String(100_000 + model.samplePoints.count).dropFirst(), type: type, name: name, position: p,
                    gridCode: grid?.code, communityCode: grid?.communityCode, streetCode: street, areaClass: areaClass))
        }
        let crossings = roadCrossings()
        for (index, road) in model.roads.enumerated() {
            let length = Planar.length(of: road.line)
            switch road.kind {
            case .arterial, .secondary:
                // One point per section between consecutive crossings.
                let stops = ([0.0, length] + crossings[index]).sorted()
                for k in 1..<stops.count where stops[k] - stops[k - 1] > 150 {
                    let middle = (stops[k] + stops[k - 1]) / 2
                    add(.mainRoad, "\(road.name)第\(k)段", offsetPoint(on: road.line, at: middle, left: 0.5))
                }
            case .lane: add(.backLane, road.name, offsetPoint(on: road.line, at: length / 2, left: 0.5))
            case .pedestrian: add(.pedestrianStreet, road.name, offsetPoint(on: road.line, at: length / 2, left: 0.5))
            default: break
            }
        }
        // Major crossings: where two arterials meet.
        let arterials = model.roads.filter { $0.kind == .arterial }
        var seen = Set<String>()
        for a in arterials {
            for b in arterials where a.id < b.id {
                if let t = segmentIntersection(a.line[0], a.line[1], b.line[0], b.line[1]), t > 0, t < 1 {
                    let p = Coordinate(x: a.line[0].x + (a.line[1].x - a.line[0].x) * t, y: a.line[0].y + (a.line[1].y - a.line[0].y) * t)
                    let key = "\(Int(p.x)),\(Int(p.y))"
                    if seen.insert(key).inserted {
                        add(.majorCrossing, "\(a.name)与\(b.name)交叉口", Coordinate(x: p.x + 0.5, y: p.y + 0.5))
                    }
                }
            }
        }
        let byCategory: [(String, SamplePointType)] = [
            ("公园", .park), ("广场", .square), ("农贸市场", .market), ("公共厕所", .publicToilet), ("火车站或长途汽车站", .station),
            ("社区服务", .community),
        ]
        for (category, type) in byCategory {
            for poi in model.pois where poi.category == category { add(type, poi.name, poi.position) }
        }
        for compound in model.compounds {
            add(.residentialCompound, compound.name, BoundingBox(coordinates: compound.polygon.exterior)!.center)
        }
        for river in model.rivers {
            let length = Planar.length(of: river.line)
            for k in 1...4 { add(.riverOrLake, "\(river.name)第\(k)段", offsetPoint(on: river.line, at: length * Double(k) / 5, left: 0)) }
        }
        // Vendor zones and construction sites: a few blocks each, away from the commercial core.
        for (k, block) in rng.shuffled(core.blocks.sorted()).prefix(Int(12 * scale)).enumerated() {
            let centre = core.bounds(of: block).center
            if k % 2 == 0 {
                add(.vendorZone, "便民摊点区\(k / 2 + 1)", Coordinate(x: centre.x + 30, y: centre.y - 30))
            } else {
                add(.constructionSite, "在建工地\(k / 2 + 1)", Coordinate(x: centre.x - 40, y: centre.y + 20))
            }
        }
    }

    // MARK: Evaluation area classes

    /// A, B and C areas of the core from block distance to the centre; town seats are C areas.
    mutating func buildAreaClasses() {
        let descriptions = ["A": "A类区域（中心商业区）", "B": "B类区域（居住区）", "C": "C类区域（城乡结合部及镇区）"]
        var cellsByClass: [String: Set<LatticeCell>] = [:]
        for block in core.blocks {
            cellsByClass[core.areaClass(of: block, scale: scale), default: []].formUnion(core.cells(of: block))
        }
        for areaClass in ["A", "B", "C"] {
            var polygons = core.lattice.outline(of: cellsByClass[areaClass] ?? [])
            if areaClass == "C" {
                for town in Gazetteer.towns {
                    if let seat = seats[town.code] { polygons += seat.outline(of: Set(allCells(of: seat))) }
                }
            }
            if !polygons.isEmpty {
                model.areaClasses.append(AreaClassZone(areaClass: areaClass, description: descriptions[areaClass]!, polygons: polygons))
            }
        }
    }
}
