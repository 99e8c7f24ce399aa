import GeoCore

/// The demo city in projected metres (CGCS2000 / 3-degree Gauss-Krüger, central meridian 120°E, EPSG:4549),
/// before it is written out in longitude/latitude. Every type here is internal to the generator.
struct CityModel {
    var regions: [Region] = []
    var unitGrids: [UnitGrid] = []
    var roads: [Road] = []
    var plates: [DoorPlate] = []
    var compounds: [Compound] = []
    var buildings: [Building] = []
    var pois: [PointOfInterest] = []
    var samplePoints: [SamplePoint] = []
    var areaClasses: [AreaClassZone] = []
    var rivers: [River] = []
    var components: [CityComponent] = []
}

enum RegionLevel: String {
    case district, street, town, community, village
}

/// An administrative area: district, street (街道), town (镇), community (社区) or village (村).
struct Region {
    let code: String
    let name: String
    let level: RegionLevel
    let parentCode: String?
    var aliases: [String] = []
    /// Names the area had before, with the last day each was in use.
    var formerNames: [(name: String, until: String)] = []
    var polygons: [Polygon]
}

/// A unit grid (单元网格): one lattice cell.
struct UnitGrid {
    let code: String
    let communityCode: String
    let streetCode: String
    let ring: [Coordinate]
    let areaSquareMetres: Double
}

enum RoadKind: String {
    case arterial = "主干道"
    case secondary = "次干道"
    case lane = "背街小巷"
    case pedestrian = "商业步行街"
    case townStreet = "镇区道路"
    case countyRoad = "县道"
    case expressway = "高速公路"
}

/// A named road with a centre line. Door numbers increase from `line.first` to `line.last`; odd numbers are
/// on the left of that direction, even numbers on the right.
struct Road {
    let id: String
    let name: String
    var aliases: [String]
    let kind: RoadKind
    let line: [Coordinate]
    var streetCodes: Set<String> = []
}

/// A door plate (门牌): a house number on one side of a road.
struct DoorPlate {
    let id: String
    let roadID: String
    let roadName: String
    let number: Int
    /// "" for a plain number; "甲" or "-1" for the in-between plates the standard allows.
    let suffix: String
    let position: Coordinate
    let gridCode: String
    let communityCode: String
    let streetCode: String

    var label: String { suffix.hasPrefix("-") ? "\(roadName)\(number)\(suffix)号" : "\(roadName)\(number)号\(suffix)" }
}

/// A residential compound (小区) with its gate address.
struct Compound {
    let id: String
    let name: String
    var aliases: [String]
    let polygon: Polygon
    let gate: DoorPlate
}

/// A building of a compound (幢), numbered within its compound.
struct Building {
    let id: String
    let compoundID: String
    let compoundName: String
    let number: Int
    let floors: Int
    let units: Int
    let polygon: Polygon
    let gridCode: String
}

/// A point of interest.
struct PointOfInterest {
    let id: String
    let name: String
    let category: String
    var aliases: [String]
    let position: Coordinate
    /// The door plate the POI stands at, when it has one.
    let plate: DoorPlate?
    let gridCode: String?
    let communityCode: String?
    let streetCode: String
}

/// An inspection sample point (评价点位) of one of the 14 types.
struct SamplePoint {
    let id: String
    let type: SamplePointType
    let name: String
    let position: Coordinate
    let gridCode: String?
    let communityCode: String?
    let streetCode: String
    let areaClass: String
}

/// The 12 types of GB/T evaluation practice plus two local types, with the codes the demo city uses.
enum SamplePointType: String, CaseIterable {
    case mainRoad = "主次干道"
    case backLane = "背街小巷"
    case pedestrianStreet = "商业步行街"
    case park = "公园"
    case square = "广场"
    case market = "农贸市场"
    case publicToilet = "公共厕所"
    case station = "火车站或长途汽车站"
    case riverOrLake = "河道湖泊"
    case vendorZone = "便民摊点规划区"
    case community = "社区"
    case majorCrossing = "主要交通路口"
    case residentialCompound = "住宅小区"
    case constructionSite = "施工工地"

    var code: String { String(format2(Self.allCases.firstIndex(of: self)! + 1)) }
}

/// Two-digit zero-padded decimal.
func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
/// Three-digit zero-padded decimal, as region and grid codes use.
func format3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }

/// An evaluation area class (A/B/C), the stratum of the yearly evaluation draw.
struct AreaClassZone {
    let areaClass: String
    let description: String
    let polygons: [Polygon]
}

struct River {
    let name: String
    let line: [Coordinate]
}
