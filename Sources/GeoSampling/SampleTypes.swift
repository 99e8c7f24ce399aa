import GeoCore

/// An inspection sample type (评价点位类型): the 12 national types of the evaluation standard, coded as extended
/// GB/T 30428.2 classes 01-12, and the local types a city adds (13 住宅小区, 14 施工工地, …).
public struct SampleType: Hashable, Sendable {
    /// The shape a type's thematic layer usually holds.
    public enum Shape: String, Sendable {
        case point, line, polygon
    }

    public let code: String
    public let name: String
    public let shape: Shape
    /// Other names of the same type (河流湖泊 for 河道湖泊).
    public let synonyms: [String]
    public let isNational: Bool

    /// The 12 national types.
    public static let national: [SampleType] = [
        SampleType(code: "01", name: "主次干道", shape: .line, synonyms: [], isNational: true),
        SampleType(code: "02", name: "背街小巷", shape: .line, synonyms: [], isNational: true),
        SampleType(code: "03", name: "商业步行街", shape: .line, synonyms: [], isNational: true),
        SampleType(code: "04", name: "公园", shape: .polygon, synonyms: [], isNational: true),
        SampleType(code: "05", name: "广场", shape: .polygon, synonyms: [], isNational: true),
        SampleType(code: "06", name: "农贸市场", shape: .polygon, synonyms: [], isNational: true),
        SampleType(code: "07", name: "公共厕所", shape: .point, synonyms: [], isNational: true),
        SampleType(code: "08", name: "火车站或长途汽车站", shape: .point, synonyms: [], isNational: true),
        SampleType(code: "09", name: "河道湖泊", shape: .line, synonyms: ["河流湖泊"], isNational: true),
        SampleType(code: "10", name: "便民摊点规划区", shape: .polygon, synonyms: [], isNational: true),
        SampleType(code: "11", name: "社区", shape: .polygon, synonyms: [], isNational: true),
        SampleType(code: "12", name: "主要交通路口", shape: .point, synonyms: [], isNational: true),
    ]

    /// Local types the demo city and many platforms add.
    public static let local: [SampleType] = [
        SampleType(code: "13", name: "住宅小区", shape: .polygon, synonyms: [], isNational: false),
        SampleType(code: "14", name: "施工工地", shape: .point, synonyms: [], isNational: false),
    ]

    /// The type named `name` (or one of its synonyms).
    public static func named(_ name: String) -> SampleType? {
        (national + local).first { $0.name == name || $0.synonyms.contains(name) }
    }

    /// One spelling per type: a synonym becomes the type's name (河流湖泊 → 河道湖泊); other names are kept as
    /// written (a city's own local types).
    public static func canonicalName(_ name: String) -> String { named(name)?.name ?? name }
}
