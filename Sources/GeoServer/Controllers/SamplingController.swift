import Foundation
import GeoCore
import GeoSampling
import GeoStore
import Hummingbird

/// `POST /v1/sampling`: draws a field-inspection plan (`quota` "A=4,B=2,C=2" overrides the city class's) from the store's unit grids, A/B/C areas and sample points.
/// Body: `{"city_class": 1, "seed": 2026, "points": {"主次干道": 6}, "groups": 2, "spacing_m": 200,
/// "cover_streets": true, "within_drawn_grids": false, "exclude_rounds": 1, "record": false, "format": "geojson"}`
/// (format geojson, csv or html), and `themes` {"河道湖泊": "rivers", "主次干道": "roads:class=主干道"} with `section_m`
/// for types drawn from thematic layers (road and river sections, polygons). With `record`, the plan is appended to
/// the sampling history and its GeoJSON features carry the round number as `plan_round`.
struct SamplingController {
    let store: any CityStore
    let maximumBodyBytes: Int

    func register(on group: RouterGroup<CityRequestContext>) {
        group.post("sampling", use: ComputePool.shared.offloaded(samplingPlan))
    }

    /// `POST /v1/sampling`.
    @Sendable func samplingPlan(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        guard let seedValue = body["seed"]?.intValue, seedValue >= 0 else {
            throw APIError(code: .invalidArgument, message: "seed must be a non-negative integer", details: ["field": "seed"])
        }
        guard case .object(let pointObject)? = body["points"] else {
            throw APIError(code: .invalidArgument, message: "points must be an object of type: count", details: ["field": "points"])
        }
        var counts: [String: Int] = [:]
        for (type, value) in pointObject {
            guard let count = value.intValue, count >= 0, count <= 1_000 else {
                throw APIError(code: .invalidArgument, message: "points.\(type) must be a count in 0...1000", details: ["field": .string("points.\(type)")])
            }
            counts[SampleType.canonicalName(type)] = Int(count)
        }
        let cityClass = Int(try RequestParsing.integer(body["city_class"], field: "city_class") ?? 1)
        let groups = Int(try RequestParsing.integer(body["groups"], field: "groups") ?? 1)
        guard (1...100).contains(groups) else {
            throw APIError(code: .invalidArgument, message: "groups must be in 1...100", details: ["field": "groups"])
        }
        let spacing = try RequestParsing.number(body["spacing_m"], field: "spacing_m") ?? 0
        guard spacing >= 0, spacing <= 50_000 else {
            throw APIError(code: .invalidArgument, message: "spacing_m must be in 0...50000", details: ["field": "spacing_m"])
        }
        if let quota = body["quota"], quota != .null, quota.stringValue == nil {
            throw APIError(code: .invalidArgument, message: "quota must be a string such as \"A=4,B=2,C=2\"", details: ["field": "quota"])
        }
        if let format = body["format"], format != .null, format.stringValue == nil {
            throw APIError(code: .invalidArgument, message: "format must be a string: geojson, csv or html", details: ["field": "format"])
        }
        let excludeRounds = Int(try RequestParsing.integer(body["exclude_rounds"], field: "exclude_rounds") ?? 0)
        guard (0...1_000).contains(excludeRounds) else {
            throw APIError(code: .invalidArgument, message: "exclude_rounds must be in 0...1000", details: ["field": "exclude_rounds"])
        }
        let coverStreets = try RequestParsing.flag(body["cover_streets"], field: "cover_streets")
        let withinDrawnGrids = try RequestParsing.flag(body["within_drawn_grids"], field: "within_drawn_grids")
        let record = try RequestParsing.flag(body["record"], field: "record")
        let themes = try Self.themes(body["themes"])
        let section = body["section_m"]?.doubleValue ?? 200
        guard body["section_m"] == nil || body["section_m"]?.doubleValue != nil, (10...10_000).contains(section) else {
            throw APIError(code: .invalidArgument, message: "section_m must be a number of metres in 10...10000", details: ["field": "section_m"])
        }
        let inputs: SamplingInputs
        do {
            inputs = try await SamplingInputs.load(from: store, themes: themes, sectionMetres: section)
        } catch let error as GeoError where error.location == "themes" {
            throw APIError(error, field: "themes")
        }
        let excluded = try await SamplingHistory.recent(excludeRounds, in: store)
        let rules = SamplePointRules(
            countsPerType: counts, minimumSpacingMetres: spacing, coverEveryStreet: coverStreets, excludedIDs: excluded)
        var customQuota: DrawQuota?
        if let text = body["quota"]?.stringValue {
            do throws(GeoError) {
                customQuota = try DrawQuota.parse(text)
            } catch {
                throw APIError(code: error.code, message: error.message, details: ["field": "quota"])
            }
        }
        let plan: SamplingPlan
        do throws(GeoError) {
            plan = try SamplingPlan.make(
                evaluationGrids: inputs.evaluationGrids, candidates: inputs.candidates, cityClass: cityClass, pointRules: rules,
                pointsWithinDrawnGrids: withinDrawnGrids, inspectorGroups: groups, seed: UInt64(seedValue),
                excludedGrids: excluded, inputChecksums: inputs.checksums, quota: customQuota)
        } catch {
            let field = error.code == .quotaNotMet ? "points" : (error.location ?? "city_class")
            throw APIError(code: error.code, message: error.message, details: ["field": .string(field)])
        }
        let format = body["format"]?.stringValue ?? "geojson"
        guard ["geojson", "csv", "html"].contains(format) else {
            throw APIError(code: .invalidArgument, message: "format \"\(format)\" is not geojson, csv or html", details: ["field": "format"])
        }
        let round = record ? try await SamplingHistory.record(plan, in: store) : nil
        switch format {
        case "csv": return JSONResponse.bytes(Array(plan.csv().utf8), contentType: "text/csv; charset=utf-8")
        case "html":
            let page = plan.html(roads: try await SamplingInputs.roads(from: store))
            return JSONResponse.bytes(Array(page.utf8), contentType: "text/html; charset=utf-8")
        default: return JSONResponse.bytes(try GeoJSON.encodeBytes(plan.geoJSON(round: round)), contentType: "application/geo+json")
        }
    }

    /// `themes`: an object of sample type → `layer` or `layer:filter`; 400 naming `themes.<type>` when unreadable.
    static func themes(_ value: JSONValue?) throws -> [ThematicLayer] {
        guard let value, value != .null else { return [] }
        guard case .object(let members) = value else {
            throw APIError(code: .invalidArgument, message: "themes must be an object of sample type: layer", details: ["field": "themes"])
        }
        return try members.keys.sorted().map { type in
            guard let layer = members[type]?.stringValue else {
                throw APIError(code: .invalidArgument, message: "themes.\(type) must be a layer name", details: ["field": .string("themes.\(type)")])
            }
            do throws(GeoError) {
                return try ThematicLayer(parsing: "\(type)=\(layer)")
            } catch {
                throw APIError(code: error.code, message: error.message, details: ["field": .string("themes.\(type)")])
            }
        }
    }
}
