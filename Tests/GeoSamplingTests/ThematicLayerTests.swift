import Foundation
import GeoCore
import GeoGrids
import GeoSampling
import GeoStore
import Testing

/// The 12 national sample types and the sites of thematic layers: road and river sections, polygons, points.
@Suite struct ThematicLayerTests {
    @Test func theNationalTypesAndTheirSynonyms() throws {
        #expect(SampleType.national.map(\.code) == (1...12).map { String(format: "%02d", $0) })
        #expect(SampleType.canonicalName("河流湖泊") == "河道湖泊")
        #expect(SampleType.canonicalName("施工工地") == "施工工地")
        #expect(SampleType.canonicalName("夜市") == "夜市")
        #expect(try SamplingInputs.parseCounts("河流湖泊=2,主次干道=1") == ["河道湖泊": 2, "主次干道": 1])
        let site = SamplePointCandidate(id: "x", type: "河流湖泊", position: Coordinate(x: 120, y: 33), streetCode: "", gridCode: nil)
        #expect(site.type == "河道湖泊")
        #expect(SampleType.named("公园")?.shape == .polygon && SampleType.named("主次干道")?.shape == .line)
    }

    /// A point `metres` north of (120.4, 33.1) on the mean sphere, as haversine measures.
    static func north(_ metres: Double) -> Coordinate { Coordinate(x: 120.4, y: 33.1 + metres / 111_194.93) }

    /// A 1,000 m line with a vertex at 400 m, cut into sections of about `metres`: how many, and where their
    /// middles lie.
    @Test(arguments: [(300.0, 3), (200.0, 5), (1_000.0, 1), (5_000.0, 1), (450.0, 2)])
    func linesAreCutIntoEqualSections(metres: Double, count: Int) throws {
        let line = [Self.north(0), Self.north(400), Self.north(1_000)]
        let sections = ThematicLayer(type: "主次干道", layer: "roads").sites(
            of: [StoredFeature(fid: 7, feature: Feature(id: .string("R1"), geometry: .lineString(LineString(line)), properties: ["name": "人民路"]))],
            sectionMetres: metres, locator: GridLocator(districts: [], streets: [], communities: [], unitGrids: []))
        #expect(sections.count == count)
        #expect(sections.map(\.id) == (1...count).map { "roads:R1:\($0)" })
        #expect(sections.map(\.name) == (count == 1 ? ["人民路"] : (1...count).map { "人民路第\($0)段" }))
        let length = 1_000 / Double(count)
        for (k, section) in sections.enumerated() {
            let middle = Geodesic.haversineDistance(from: Self.north(0), to: section.position)
            #expect(abs(middle - length * (Double(k) + 0.5)) < 0.01)
            guard case .lineString(let piece)? = section.geometry else {
                Issue.record("section \(k) is not a line")
                continue
            }
            let pieceLength = zip(piece.coordinates, piece.coordinates.dropFirst()).reduce(0.0) { $0 + Geodesic.haversineDistance(from: $1.0, to: $1.1) }
            #expect(abs(pieceLength - length) < 0.01)
            // The vertex at 400 m belongs to the section that spans it; where a cut falls on it, the cut point stands in.
            let (start, end) = (length * Double(k), length * Double(k + 1))
            if start + 1 < 400 && 400 < end - 1 { #expect(piece.coordinates.contains(Self.north(400))) }
            if 400 < start - 1 || end + 1 < 400 { #expect(!piece.coordinates.contains(Self.north(400))) }
            #expect(section.details["shape"] == "line_section")
        }
    }

    @Test func pointsAndPolygonsAreSitesPlacedInTheirStreetAndGrid() throws {
        let locator = GridLocator(
            districts: [], streets: [Feature(geometry: Self.box(120.3, 33.0, 120.5, 33.2), properties: ["code": "320904001", "name": "丰华街道"])],
            communities: [], unitGrids: [Feature(geometry: Self.box(120.39, 33.09, 120.41, 33.11), properties: ["code": "320904001001001", "name": ""])])
        let features = [
            StoredFeature(fid: 1, feature: Feature(geometry: Self.box(120.395, 33.095, 120.405, 33.105), properties: ["id": "P1", "name": "人民公园", "class": "综合公园"])),
            StoredFeature(fid: 2, feature: Feature(geometry: .point(Point(Coordinate(x: 120.45, y: 33.15))), properties: ["name": "北门", "class": "综合公园"])),
            StoredFeature(fid: 3, feature: Feature(geometry: Self.box(120.0, 33.0, 120.01, 33.01), properties: ["name": "城外", "class": "社区公园"])),
        ]
        let theme = try ThematicLayer(parsing: "公园=parks:class=综合公园")
        #expect(theme.type == "公园" && theme.layer == "parks")
        let sites = theme.sites(of: features, sectionMetres: 200, locator: locator)
        #expect(sites.map(\.id) == ["parks:P1", "parks:2"])
        #expect(sites.map(\.streetCode) == ["320904001", "320904001"])
        #expect(sites.map(\.gridCode) == ["320904001001001", nil])
        #expect(sites[0].geometry == features[0].feature.geometry && sites[0].position == Planar.interiorPoint(of: Self.box(120.395, 33.095, 120.405, 33.105)))
        #expect(sites[1].geometry == nil && sites[1].details["shape"] == "point")
    }

    static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1).polygon)
    }

    @Test(arguments: ["河道湖泊", "河道湖泊=", "=rivers", "河道湖泊=Rivers", "公园=parks:class"])
    func badThemesNameTheEntry(text: String) {
        let error = #expect(throws: GeoError.self) { try ThematicLayer(parsing: text) }
        #expect(error?.code == .invalidArgument || error?.code == .invalidFilter)
    }

    /// A plan over the demo city with rivers and compounds as thematic layers: its river sites are sections of the
    /// rivers, its compound a polygon, the themed types' points of the sample-point layer are left out, and the
    /// theme layers' checksums join the record.
    @Test func aPlanDrawsSectionsAndPolygonsFromThemes() async throws {
        let store = try SpatialStore.temporary()
        for (layer, path) in [
            ("unit_grids", "GridData/unit_grids.geojson"), ("eval_area_types", "GridData/eval_area_types.geojson"),
            ("sample_points", "GridData/sample_points.geojson"), ("streets", "GridData/streets.geojson"), ("rivers", "GridData/rivers.geojson"),
            ("compounds", "AddressBooks/compounds.geojson"),
        ] {
            _ = try await store.importFile(at: EvaluationGridTests.root.appendingPathComponent(path), as: layer)
        }
        let themes = [ThematicLayer(type: "河流湖泊", layer: "rivers"), ThematicLayer(type: "住宅小区", layer: "compounds")]
        let inputs = try await SamplingInputs.load(from: store, themes: themes, sectionMetres: 1_000)
        #expect(inputs.candidates.filter { $0.type == "河道湖泊" }.allSatisfy { $0.id.hasPrefix("rivers:") })
        #expect(inputs.candidates.filter { $0.type == "住宅小区" }.count == 50)
        #expect(inputs.candidates.filter { $0.type == "主次干道" }.count == 277)
        #expect(Set(inputs.checksums.keys) == ["unit_grids", "eval_area_types", "sample_points", "rivers", "compounds"])
        let plan = try SamplingPlan.make(
            evaluationGrids: inputs.evaluationGrids, candidates: inputs.candidates, cityClass: 3,
            pointRules: SamplePointRules(countsPerType: ["河道湖泊": 3, "住宅小区": 2, "公共厕所": 1]), pointsWithinDrawnGrids: false,
            inspectorGroups: 2, seed: 5, inputChecksums: inputs.checksums)
        let sites = plan.geoJSON().features.filter { $0.properties["role"] == "sample_point" }
        #expect(sites.filter { $0.geometry?.type == .lineString }.count == 3)
        #expect(sites.filter { $0.geometry?.type == .polygon }.count == 2)
        #expect(sites.filter { $0.geometry?.type == .point }.count == 1)
        #expect(sites.filter { $0.properties["layer"] == "rivers" }.allSatisfy { ($0.properties["name"]?.stringValue ?? "").contains("段") })
        let html = plan.html(roads: try await SamplingInputs.roads(from: store))
        #expect(html.components(separatedBy: "stroke-width=\"5\"").count - 1 == 2 * 3)
    }
}
