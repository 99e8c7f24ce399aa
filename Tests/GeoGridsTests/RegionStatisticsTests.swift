import Foundation
import GeoCore
import Testing

@testable import GeoGrids
@testable import GeoStore

/// Statistics by region and period over RegionFixture's city, each answer held equal to a direct SQL count on the
/// same store (SpatiaLite's ST_Within for the regions, SQLite's strftime for China Standard Time periods).
@Suite struct RegionStatisticsTests {
    /// The category paths cases are drawn from, with the properties that carry them.
    static let categories: [[String: JSONValue]] = [
        ["category": "市容环境/暴露垃圾/垃圾满溢", "category_code": "010101"],
        ["category": "市容环境/乱堆物料", "category_code": "0102"],
        ["major_category": "街面秩序", "category": "占道经营", "category_code": "0201"],
        ["category": "占道经营"],
    ]

    /// 900 seeded cases over the district in 2025-2026, and six at the edges of months in China Standard Time.
    static func cases() -> [Feature] {
        var rng = SeededGenerator(seed: 19)
        let start = try! TimeText.seconds("2025-01-01"), end = try! TimeText.seconds("2027-01-01")
        var features: [Feature] = []
        for k in 0..<900 {
            let x = 120.40 + Double.random(in: 0..<0.1, using: &rng), y = 33.10 + Double.random(in: 0..<0.2, using: &rng)
            let time = Double.random(in: start..<end, using: &rng).rounded(.down)
            var properties = categories[Int.random(in: 0..<categories.count, using: &rng)]
            properties["time"] = .string(k % 3 == 0 ? TimeText.format(time, utcOffset: 0) : TimeText.format(time))
            properties["weight"] = .int(Int64.random(in: 1...5, using: &rng))
            features.append(Feature(id: .string("c\(k)"), geometry: .point(Point(Coordinate(x: x, y: y))), properties: properties))
        }
        for (k, time) in ["2026-01-31T23:59:59+08:00", "2026-02-01T00:00:00+08:00", "2026-01-31T16:00:00Z", "2026-01-31T15:59:59Z", "2025-12-31T23:00:00+08:00", "2026-03-31T16:00:00Z"].enumerated() {
            var properties = categories[k % categories.count]
            properties["time"] = .string(time)
            properties["weight"] = 2
            features.append(Feature(id: .string("edge\(k)"), geometry: .point(Point(Coordinate(x: 120.4123, y: 33.1234))), properties: properties))
        }
        return features
    }

    struct City {
        let store: SpatialStore
        let tree: RegionTree
        let cases: CaseStatisticsIndex
        let families: PolygonFamilies
    }

    static let city: Task<City, any Error> = Task {
        let store = try await RegionFixture.store()
        _ = try await store.importLayer(name: "cases", features: FeatureCollection(cases()))
        return City(
            store: store, tree: try await RegionTree.load(from: store, divisions: RegionFixture.divisions),
            cases: CaseStatisticsIndex(features: try await store.features(in: "cases"), locator: try await GridLocator.load(from: store)),
            families: PolygonFamilies(store: store, checkInterval: .seconds(3_600)))
    }

    /// SQL: counts and weight sums per (code, period) of the cases inside `regions`' polygons, the code cut to
    /// `digits`, the period written by `period` (an SQL expression of `t`, the case time in China Standard Time).
    static func sql(
        _ store: SpatialStore, regions: String, digits: Int = 99, period: String, where condition: String = "1"
    ) async throws -> [String: (count: Int, sum: Double)] {
        let rows = try await store.rows(
            """
            SELECT substr(json_extract(r.properties, '$.code'), 1, \(digits)) AS code, \(period) AS period, count(*), total(json_extract(c.properties, '$.weight'))
            FROM (SELECT *, datetime(json_extract(properties, '$.time'), '+8 hours') AS t FROM layer_cases) c
            JOIN layer_\(regions) r ON ST_Within(c.geom, r.geom)
            WHERE \(condition) GROUP BY 1, 2
            """)
        var result: [String: (count: Int, sum: Double)] = [:]
        for row in rows { result[(row[0] ?? "") + "|" + (row[1] ?? "")] = (Int(row[2] ?? "") ?? -1, Double(row[3] ?? "") ?? .nan) }
        return result
    }

    static let month = "strftime('%Y-%m', t)"
    static let quarter = "strftime('%Y', t) || '-Q' || ((CAST(strftime('%m', t) AS INTEGER) + 2) / 3)"

    static func node(_ tree: RegionTree, _ code: String) throws -> Int { try #require(tree.node(code: code)) }

    @Test func streetsOfTheCountyPerMonthEqualSQLWithTheirComparisons() async throws {
        let city = try await Self.city.value
        let request = StatisticsRequest(node: try Self.node(city.tree, "320904"), from: try TimeText.seconds("2026-01-01"), to: try TimeText.seconds("2027-01-01"))
        let table = try RegionStatistics.compute(request, cases: city.cases, tree: city.tree)
        let expected = try await Self.sql(city.store, regions: "streets", period: Self.month)
        #expect(table.groups.map(\.code) == ["320904002", "320904101", "320904001"])
        #expect(table.periods.map(\.label) == (1...12).map { String(format: "2026-%02d", $0) })
        for row in table.rows {
            let label = row.period.label
            let previous = CalendarPeriod.month.label(of: CalendarPeriod.month.shifted(row.period.start, by: -1))
            let lastYear = CalendarPeriod.month.label(of: CalendarPeriod.month.sameLastYear(row.period.start))
            #expect(row.count == expected["\(row.group.code)|\(label)"]?.count ?? 0, "\(row.group.code) \(label)")
            #expect(row.monthOnMonth?.previous == expected["\(row.group.code)|\(previous)"]?.count ?? 0)
            #expect(row.yearOnYear?.previous == expected["\(row.group.code)|\(lastYear)"]?.count ?? 0)
        }
        let inRange = expected.filter { $0.key.contains("|2026-") }.values.reduce(0) { $0 + $1.count }
        #expect(table.total == inRange)
        #expect(table.unassigned == 0)
        #expect(table.rows.filter { $0.group.code == "320904101" }.allSatisfy { $0.count == 0 })
    }

    @Test func unitGridsPerQuarterUnderACategoryEqualSQL() async throws {
        let city = try await Self.city.value
        var request = StatisticsRequest(node: try Self.node(city.tree, "320904001"), grouping: .tier(.unitGrid), period: .quarter)
        request.categories = try CategoryFilter(category: "市容环境", codes: nil)
        let table = try RegionStatistics.compute(request, cases: city.cases, tree: city.tree)
        let expected = try await Self.sql(
            city.store, regions: "unit_grids", period: Self.quarter, where: "json_extract(c.properties, '$.category') LIKE '市容环境/%'")
        #expect(table.groups.count == 6)
        #expect(table.periods.map(\.label) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
        for row in table.rows { #expect(row.count == expected["\(row.group.code)|\(row.period.label)"]?.count ?? 0) }
        #expect(table.total == expected.values.reduce(0) { $0 + $1.count })
    }

    /// A name at any depth: 占道经营 is a 小类 under 街面秩序 for some cases and a bare category for others; a code
    /// prefix selects by 大类.
    @Test(arguments: [
        ("占道经营", nil, "json_extract(c.properties, '$.category') = '占道经营'"),
        ("街面秩序", nil, "json_extract(c.properties, '$.major_category') = '街面秩序'"),
        ("暴露垃圾/垃圾满溢|乱堆物料", nil, "json_extract(c.properties, '$.category') LIKE '市容环境/%'"),
        (nil, "01", "json_extract(c.properties, '$.category_code') LIKE '01%'"),
        ("占道经营", "02", "json_extract(c.properties, '$.category_code') = '0201'"),
    ] as [(String?, String?, String)])
    func categoriesAtAnyDepthEqualSQL(category: String?, code: String?, condition: String) async throws {
        let city = try await Self.city.value
        var request = StatisticsRequest(node: try Self.node(city.tree, "320904"), grouping: .tier(.community), period: .year)
        request.categories = try CategoryFilter(category: category, codes: code)
        let table = try RegionStatistics.compute(request, cases: city.cases, tree: city.tree)
        let expected = try await Self.sql(city.store, regions: "communities", period: "strftime('%Y', t)", where: condition)
        #expect(table.groups.map(\.code) == ["320904002201", "320904001001", "320904001002"])
        for row in table.rows { #expect(row.count == expected["\(row.group.code)|\(row.period.label)"]?.count ?? 0) }
        #expect(table.total == expected.values.reduce(0) { $0 + $1.count })
    }

    @Test func familyPolygonsAndSumsEqualSQL() async throws {
        let city = try await Self.city.value
        let zones = try await city.families.index(of: "frontage_zones")
        let request = StatisticsRequest(grouping: .family(zones), period: .month, sumField: "weight")
        let table = try RegionStatistics.compute(request, cases: city.cases, tree: city.tree)
        let expected = try await Self.sql(city.store, regions: "frontage_zones", period: Self.month)
        #expect(table.groups.map(\.code) == ["F1", "F2"])
        for row in table.rows {
            let sql = expected["\(row.group.code)|\(row.period.label)"]
            #expect(row.count == sql?.count ?? 0)
            #expect(row.sum == sql?.sum ?? 0)
        }
        let inNone = try await city.store.rows(
            "SELECT count(*) FROM layer_cases c WHERE NOT EXISTS (SELECT 1 FROM layer_frontage_zones f WHERE ST_Within(c.geom, f.geom))")
        #expect(table.unassigned == Int(try #require(inNone.first?.first ?? nil)))
    }

    @Test func aDrawnPolygonAndTheNodeItselfEqualSQL() async throws {
        let city = try await Self.city.value
        let drawn = RegionFixture.box(120.43, 33.12, 120.47, 33.25)
        let inside = try await city.store.rows(
            "SELECT count(*) FROM layer_cases WHERE ST_Within(geom, GeomFromText('POLYGON((120.43 33.12, 120.47 33.12, 120.47 33.25, 120.43 33.25, 120.43 33.12))', 4490))")
        let polygon = try RegionStatistics.compute(StatisticsRequest(grouping: .polygon(drawn), period: nil), cases: city.cases, tree: city.tree)
        #expect(polygon.rows.map(\.count) == [Int(try #require(inside.first?.first ?? nil))])
        #expect(polygon.rows.first?.monthOnMonth == nil)

        let street = try Self.node(city.tree, "320904001")
        let both = try RegionStatistics.compute(StatisticsRequest(node: street, scope: .both, period: .year), cases: city.cases, tree: city.tree)
        let expected = try await Self.sql(city.store, regions: "streets", period: "strftime('%Y', t)")
        #expect(both.groups.map(\.code) == ["320904001", "320904001001", "320904001002"])
        for year in ["2025", "2026"] {
            let own = both.rows.first { $0.group.code == "320904001" && $0.period.label == year }
            let below = both.rows.filter { $0.group.code != "320904001" && $0.period.label == year }.reduce(0) { $0 + $1.count }
            #expect(own?.count == expected["320904001|\(year)"]?.count)
            #expect(below == own?.count)
        }
        let own = try RegionStatistics.compute(StatisticsRequest(node: street, scope: .self, period: nil), cases: city.cases, tree: city.tree)
        #expect(own.rows.map(\.count) == [expected["320904001|2025"]!.count + expected["320904001|2026"]!.count])
    }

    @Test func casesCoarserThanTheLevelAreUnassigned() async throws {
        let city = try await Self.city.value
        let table = try RegionStatistics.compute(
            StatisticsRequest(node: try Self.node(city.tree, "320904"), grouping: .tier(.unitGrid), period: nil, includeEmpty: false),
            cases: city.cases, tree: city.tree)
        let village = try await Self.sql(city.store, regions: "communities", period: "'all'", where: "json_extract(r.properties, '$.code') = '320904002201'")
        #expect(table.unassigned == village["320904002201|all"]?.count)
        #expect(table.total == 906)
        #expect(table.groups.count == 6)
    }

    @Test(arguments: [
        (StatisticsRequest(node: 0, grouping: .tier(.province)), "level"),
        (StatisticsRequest(sumField: "category"), "sum"),
        (StatisticsRequest(from: 1_800_000_000, to: 1_700_000_000), "from"),
        (StatisticsRequest(period: .day, from: -2_000_000_000, to: 7_000_000_000), "period"),
    ])
    func badRequestsNameTheParameter(request: StatisticsRequest, field: String) async throws {
        let city = try await Self.city.value
        let error = #expect(throws: GeoError.self) { try RegionStatistics.compute(request, cases: city.cases, tree: city.tree) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.location == field)
    }

    @Test func theTableAsCSV() async throws {
        let city = try await Self.city.value
        let request = StatisticsRequest(
            node: try Self.node(city.tree, "320904001"), period: .year, from: try TimeText.seconds("2026-01-01"), sumField: "weight")
        let table = try RegionStatistics.compute(request, cases: city.cases, tree: city.tree)
        let records = try CSVReader.read(table.csv())
        #expect(records.first?.fields == ["code", "name", "level", "family", "period", "count", "sum", "mom_previous", "mom_change", "mom_rate", "yoy_previous", "yoy_change", "yoy_rate"])
        #expect(records.count == 1 + table.rows.count)
        let first = try #require(table.rows.first)
        let change = try #require(first.monthOnMonth)
        #expect(records[1].fields == [
            first.group.code, first.group.name, "community", "", "2026", String(first.count), String(try #require(first.sum)),
            String(change.previous), String(change.change), change.rate.map { String($0) } ?? "", String(change.previous), String(change.change),
            change.rate.map { String($0) } ?? "",
        ])
    }
}
