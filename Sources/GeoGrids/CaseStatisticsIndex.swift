import GeoCore
import GeoStore

/// The cases of a point layer as statistics read them: per case its time, the finest region it lies in, its
/// category path, its position and its numeric properties, in compact arrays sorted by time, so that counting a
/// million cases per region and month is a pass over a few arrays (no feature dictionaries).
public struct CaseStatisticsIndex: Sendable {
    /// Seconds since 1970, ascending.
    let times: [Double]
    /// Per case, its entry in ``regionCodes``, or -1 outside every region.
    let regions: [Int32]
    /// The distinct finest region codes of the cases (unit grid, else community, street or county).
    public let regionCodes: [String]
    /// Per case, its entry in ``categoryPaths``.
    let categories: [Int32]
    public let categoryPaths: [CategoryPath]
    let positions: [Coordinate]
    /// Numeric properties by name, one value per case (NaN where a case has none).
    let numbers: [String: [Double]]
    /// Features left out: no point, or no readable time in the time field.
    public let skipped: Int

    /// The number of cases.
    public var count: Int { times.count }

    /// The earliest and latest case time; nil without cases.
    public var timeRange: ClosedRange<Double>? { times.first.map { $0...times[times.count - 1] } }

    /// Indexes the point features of a case layer: the time is `timeField` in one of ``TimeText``'s forms; the
    /// region is the `grid_code` property when it is a unit-grid code, else the finest region of `locator` holding
    /// the point (as ``CaseRecord/records(from:locator:)`` attributes cases).
    public init(features: [StoredFeature], locator: GridLocator, timeField: String = "time") {
        var rows: [(time: Double, region: Int32, category: Int32, position: Coordinate, feature: Int)] = []
        rows.reserveCapacity(features.count)
        var regionIndex: [String: Int32] = [:], regionCodes: [String] = []
        var categoryIndex: [CategoryPath: Int32] = [:], categoryPaths: [CategoryPath] = []
        var categoryByWritten: [CategoryPath.WrittenFields: Int32] = [:]
        for (k, stored) in features.enumerated() {
            let properties = stored.feature.properties
            guard case .point(let p)? = stored.feature.geometry, let text = properties[timeField]?.scalarText,
                let time = try? TimeText.seconds(text)
            else { continue }
            var region: Int32 = -1
            if let code = Self.regionCode(properties: properties, position: p.coordinate, locator: locator) {
                region = regionIndex[code] ?? {
                    regionCodes.append(code)
                    regionIndex[code] = Int32(regionCodes.count - 1)
                    return Int32(regionCodes.count - 1)
                }()
            }
            // Cases repeat a few hundred category texts: each is read into a path once.
            let written = CategoryPath.WrittenFields(properties: properties)
            let category =
                categoryByWritten[written] ?? {
                    let path = CategoryPath(written: written)
                    let entry =
                        categoryIndex[path] ?? {
                            categoryPaths.append(path)
                            categoryIndex[path] = Int32(categoryPaths.count - 1)
                            return Int32(categoryPaths.count - 1)
                        }()
                    categoryByWritten[written] = entry
                    return entry
                }()
            rows.append((time, region, category, p.coordinate, k))
        }
        rows.sort { ($0.time, $0.feature) < ($1.time, $1.feature) }
        var numbers: [String: [Double]] = [:]
        for (slot, row) in rows.enumerated() {
            for (key, value) in features[row.feature].feature.properties {
                guard let number = value.doubleValue else { continue }
                numbers[key, default: [Double](repeating: .nan, count: rows.count)][slot] = number
            }
        }
        times = rows.map(\.time)
        regions = rows.map(\.region)
        categories = rows.map(\.category)
        positions = rows.map(\.position)
        self.regionCodes = regionCodes
        self.categoryPaths = categoryPaths
        self.numbers = numbers
        skipped = features.count - rows.count
    }

    /// The finest region of a case: its `grid_code` when that is a unit-grid code, else the locator's answer.
    static func regionCode(properties: [String: JSONValue], position: Coordinate, locator: GridLocator) -> String? {
        if let code = properties["grid_code"]?.scalarText, (try? RegionCode(code, expecting: .unitGrid)) != nil { return code }
        return locator.finestRegion(at: position)?.code
    }

    /// The index of the first case at or after `time`.
    func firstCase(atOrAfter time: Double) -> Int {
        var low = 0, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] < time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The numeric property `field` of every case, or nil when no case has it as a number.
    func numbers(_ field: String) -> [Double]? { numbers[field] }
}
