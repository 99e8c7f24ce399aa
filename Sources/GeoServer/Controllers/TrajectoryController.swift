import Foundation
import GeoCore
import GeoFences
import GeoStore
import GeoTrajectories
import Hummingbird

/// `/v1/trajectories`: vehicle tracks. Upload fixes, play a vehicle's history back at a map zoom, read its daily
/// report (trips, stops, mileage), and ask which vehicles passed a place between two times.
struct TrajectoryController {
    let store: any CityStore
    /// Uploaded fixes go through the one ingest: evaluated against the fences and stored as tracks together.
    let monitor: FenceMonitor
    let maximumBodyBytes: Int
    let maximumGeometryVertices: Int
    /// Longest window of a playback or "passed" query, seconds: 31 days, so one request cannot read years.
    static let maximumWindow: Double = 31 * 86400

    func register(on group: RouterGroup<CityRequestContext>) {
        group.post("trajectories/points", use: ComputePool.shared.offloaded(ingestTrackPoints))

        group.get("trajectories/passed", use: ComputePool.shared.offloaded(passedHere))

        group.post("trajectories/compare", use: ComputePool.shared.offloaded(compareRoute))

        group.get("trajectories/coverage", use: ComputePool.shared.offloaded(roadCoverage))

        group.get("trajectories/:vehicle", use: ComputePool.shared.offloaded(playback))

        group.get("trajectories/:vehicle/report", use: ComputePool.shared.offloaded(dayReport))
    }

    /// `POST /v1/trajectories/points`: pOST /v1/trajectories/points: CSV, NDJSON, a JSON array or GeoJSON; all stored or none. The same ingest as /v1/positions: the fixes are evaluated against the fences and stored as tracks in one transaction.
    @Sendable func ingestTrackPoints(_ request: Request, context: CityRequestContext) async throws -> Response {
        let bytes = try await RequestParsing.rawBody(request, context: context, maximumBytes: maximumBodyBytes)
        guard !bytes.isEmpty else {
            throw APIError(
                code: .invalidArgument, message: "the body is empty: send fixes as CSV, NDJSON, JSON or GeoJSON", details: ["field": "body"])
        }
        let contentType = request.headers[.contentType] ?? ""
        let format: TrackParser.Format? =
            if contentType.contains("csv") { .csv }
            else if contentType.contains("ndjson") || contentType.contains("x-jsonlines") { .ndjson }
            else if contentType.contains("geo+json") { .geojson }
            else { nil }
        let points: [TrackPoint]
        do {
            points = try TrackParser.parse(bytes, format: format)
        } catch {
            throw Self.badInput(error)
        }
        return try JSONResponse.make(FenceController.describe(try await monitor.ingest(points), received: points))
    }

    /// `GET /v1/trajectories/passed`: gET /v1/trajectories/passed?lon&lat&radius | wkt (LINESTRING with radius, or POLYGON) &from&to
    @Sendable func passedHere(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let (from, to) = try Self.window(query["from"].map(String.init), query["to"].map(String.init), required: true)
        let radius = try query["radius"].map { try RequestParsing.number(String($0), "radius", 0...10_000) } ?? 30
        let area: PassageArea
        if let wkt = query["wkt"].map(String.init), !wkt.isEmpty {
            let geometry: Geometry
            do { geometry = try WKT.decode(wkt) } catch { throw Self.badInput(error, field: "wkt") }
            try RequestParsing.checkVertexCount(geometry, field: "wkt", maximum: maximumGeometryVertices)
            switch geometry {
            case .lineString(let line): area = .line(line, radius: radius)
            case .polygon(let polygon): area = .polygon(polygon)
            case .point(let point): area = .point(point.coordinate, radius: radius)
            default:
                throw APIError(code: .invalidArgument, message: "wkt must be a POINT, LINESTRING or POLYGON",
                               details: ["field": "wkt"])
            }
        } else {
            let point = try RequestParsing.point(lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: .cgcs2000)
            area = .point(point, radius: radius)
        }
        let passages = try await store.passages(area, from: from!, to: to!)
        return try JSONResponse.make(.object([
            "count": .int(Int64(passages.count)),
            "vehicles": .array(passages.map { p in
                .object(["vehicle": .string(p.vehicle), "first_time": .string(TimeText.format(p.firstTime)),
                         "last_time": .string(TimeText.format(p.lastTime))])
            }),
        ]))
    }

    /// `POST /v1/trajectories/compare`: pOST /v1/trajectories/compare {vehicle, from, to, planned: LineString, corridor?}: planned vs actual route.
    @Sendable func compareRoute(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        guard case .object(let object) = body else {
            throw APIError(code: .invalidArgument, message: "body must be a JSON object", details: ["field": "$"])
        }
        let vehicle = try RequestParsing.required(object["vehicle"]?.stringValue, "vehicle")
        let (from, to) = try Self.window(object["from"].map(JoinController.text), object["to"].map(JoinController.text), required: true)
        guard let plannedValue = object["planned"], case .lineString(let planned)? = try? GeoJSON.decodeGeometry(from: plannedValue),
            planned.coordinates.count >= 2
        else {
            throw APIError(code: .invalidArgument, message: "planned must be a GeoJSON LineString", details: ["field": "planned"])
        }
        try RequestParsing.checkVertexCount(.lineString(planned), field: "planned", maximum: maximumGeometryVertices)
        _ = try planned.coordinates.map { try RequestParsing.checked($0, field: "planned") }
        let corridor = try object["corridor"].map { try RequestParsing.number(JoinController.text($0), "corridor", 1...500) } ?? 30
        let actual = TrackCleaner().clean(try await store.trackPoints(vehicle: vehicle, from: from, to: to)).points
        guard actual.count >= 2 else {
            throw APIError(code: .notFound, message: "vehicle \(vehicle) has fewer than 2 fixes in the window", details: ["field": "vehicle"])
        }
        let c = RouteComparison(planned: planned, actual: actual.map(\.coordinate), corridor: corridor)
        func metres(_ v: Double) -> JSONValue { .double((v * 10).rounded() / 10) }
        return try JSONResponse.make(.object([
            "vehicle": .string(vehicle), "points": .int(Int64(actual.count)), "corridor_m": .double(corridor),
            "coverage": .double((c.coverage * 10_000).rounded() / 10_000), "planned_length_m": metres(c.plannedLength),
            "covered_length_m": metres(c.coveredLength), "actual_length_m": metres(c.actualLength),
            "off_corridor_m": metres(c.offCorridorLength), "hausdorff_m": metres(c.hausdorff), "frechet_m": metres(c.frechet),
        ]))
    }

    /// `GET /v1/trajectories/coverage`: gET /v1/trajectories/coverage?from&to&layer=roads&corridor=20: how much of each road the fleet covered.
    @Sendable func roadCoverage(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let (from, to) = try Self.window(query["from"].map(String.init), query["to"].map(String.init), required: true)
        let layer = try RequestParsing.layerName(query["layer"].map(String.init) ?? "roads", field: "layer")
        let corridor = try query["corridor"].map { try RequestParsing.number(String($0), "corridor", 1...200) } ?? 20
        guard try await store.layer(named: layer) != nil else {
            throw APIError(code: .layerNotFound, message: "no layer named \"\(layer)\"", details: ["field": "layer"])
        }
        let (coverage, roads, vehicles) = try await RoadCoverage.load(from: store, layer: layer, from: from!, to: to!, corridor: corridor)
        var features = roads
        for (k, road) in coverage.roads.enumerated() {
            features[k].properties = [
                "id": .string(road.id), "name": .string(road.name), "length_m": .double((road.length * 10).rounded() / 10),
                "covered_m": .double((road.coveredLength * 10).rounded() / 10), "coverage": .double((road.coverage * 10_000).rounded() / 10_000),
                "vehicles": .array(road.vehicles.map { .string($0) }),
            ]
        }
        var collection = FeatureCollection(features)
        collection.features.sort { ($0.properties["coverage"]?.doubleValue ?? 0) > ($1.properties["coverage"]?.doubleValue ?? 0) }
        let bytes = try GeoJSON.encodeBytes(collection)
        // The overall share as a foreign member before the features.
        let prefix = Array("{\"coverage\":\((coverage.coverage * 10_000).rounded() / 10_000),\"vehicles\":\(vehicles),".utf8)
        return JSONResponse.bytes(prefix + bytes.dropFirst(), contentType: "application/geo+json")
    }

    /// `GET /v1/trajectories/:vehicle`: gET /v1/trajectories/{vehicle}?from&to&zoom: the cleaned track as a GeoJSON LineString with its times.
    @Sendable func playback(_ request: Request, context: CityRequestContext) async throws -> Response {
        let vehicle = try context.parameters.require("vehicle")
        let query = request.uri.queryParameters
        let (from, to) = try Self.window(query["from"].map(String.init), query["to"].map(String.init), required: false)
        let zoom = try query["zoom"].map { try RequestParsing.number(String($0), "zoom", 0...24) }
        let raw = try await store.trackPoints(vehicle: vehicle, from: from, to: to)
        guard !raw.isEmpty else {
            throw APIError(code: .notFound, message: "no fixes of vehicle \(vehicle) in the window",
                           details: ["field": "vehicle"])
        }
        let clean = TrackCleaner().clean(raw).points
        let shown = TrackSimplifier.playback(clean, zoom: zoom)
        guard !shown.isEmpty else {
            // Every fix was invalid, e.g. the (0, 0) a receiver sends before it has a position.
            throw APIError(code: .notFound, message: "vehicle \(vehicle) has \(raw.count) fixes in the window, none valid",
                           details: ["field": "vehicle"])
        }
        let geometry: Geometry = shown.count == 1 ? .point(Point(shown[0].coordinate)) : .lineString(LineString(shown.map(\.coordinate)))
        let feature = Feature(id: .string(vehicle), geometry: geometry, properties: [
            "vehicle": .string(vehicle), "raw_points": .int(Int64(raw.count)), "points": .int(Int64(shown.count)),
            "times": .array(shown.map { .double($0.time) }),
            "speeds": .array(shown.map { $0.speed.map(JSONValue.double) ?? .null }),
            "from": .string(TimeText.format(shown.first!.time)), "to": .string(TimeText.format(shown.last!.time)),
        ])
        return JSONResponse.bytes(try GeoJSON.encodeBytes(FeatureCollection([feature])), contentType: "application/geo+json")
    }

    /// `GET /v1/trajectories/:vehicle/report`: gET /v1/trajectories/{vehicle}/report?day=YYYY-MM-DD: trips, stops, mileage and speeds of one local day.
    @Sendable func dayReport(_ request: Request, context: CityRequestContext) async throws -> Response {
        let vehicle = try context.parameters.require("vehicle")
        let dayText = try RequestParsing.required(request.uri.queryParameters["day"], "day")
        guard let start = TimeText.startOfDay(dayText) else {
            throw APIError(code: .invalidArgument, message: "day must be YYYY-MM-DD, got \"\(dayText)\"",
                           details: ["field": "day"])
        }
        let raw = try await store.trackPoints(vehicle: vehicle, from: start, to: start + 86400 - 1e-6)
        let report = TrajectoryAnalyzer().report(vehicle: vehicle, day: dayText, raw: raw)
        return try JSONResponse.make(Self.describe(report))
    }

    /// A parse error as a 400 naming the field at fault (`body` for an uploaded file) and where the input went wrong.
    static func badInput(_ error: any Error, field: String = "body") -> APIError {
        guard let error = error as? GeoError else {
            return APIError(code: .invalidArgument, message: "\(error)", details: ["field": .string(field)])
        }
        var details: [String: JSONValue] = ["field": .string(field)]
        if let location = error.location { details["location"] = .string(location) }
        return APIError(code: error.code, message: error.message, details: details)
    }

    /// `from`/`to` as epoch seconds (ISO 8601 or epoch text), `from` before `to`, at most 31 days apart.
    static func window(_ fromText: String?, _ toText: String?, required: Bool) throws -> (Double?, Double?) {
        func time(_ text: String?, _ field: String) throws -> Double? {
            guard let text, !text.isEmpty else {
                if required {
                    throw APIError(code: .invalidArgument, message: "\(field) is required", details: ["field": .string(field)])
                }
                return nil
            }
            return try RequestParsing.time(text, field: field)
        }
        let from = try time(fromText, "from"), to = try time(toText, "to")
        if let from, let to {
            guard from <= to else {
                throw APIError(code: .invalidArgument, message: "from must not be after to", details: ["field": "from"])
            }
            guard to - from <= maximumWindow else {
                throw APIError(code: .invalidArgument, message: "the window from…to exceeds 31 days", details: ["field": "to"])
            }
        }
        return (from, to)
    }

    static func describe(_ r: VehicleDayReport) -> JSONValue {
        .object([
            "vehicle": .string(r.vehicle), "day": .string(r.day), "points": .int(Int64(r.points.count)),
            "trip_count": .int(Int64(r.tripCount)), "stop_count": .int(Int64(r.stops.count)),
            "mileage_m": .double((r.mileage * 10).rounded() / 10),
            "moving_s": .double(r.movingSeconds), "stopped_s": .double(r.stoppedSeconds),
            "site_stop_count": .int(Int64(r.siteStopCount)),
            "speed_kmh": .object(["mean": .double((r.speed.mean * 10).rounded() / 10), "max": .double(r.speed.maximum),
                                  "p85": .double(r.speed.p85)]),
            "cleaning": .object([
                "input": .int(Int64(r.cleaning.input)), "kept": .int(Int64(r.cleaning.kept)),
                "invalid": .int(Int64(r.cleaning.invalid)), "outside_china": .int(Int64(r.cleaning.outsideChina)),
                "duplicates": .int(Int64(r.cleaning.duplicates)), "same_time": .int(Int64(r.cleaning.sameTime)),
                "jumps": .int(Int64(r.cleaning.jumps)), "drift": .int(Int64(r.cleaning.drift)),
            ]),
            "trips": .array(r.trips.map { t in
                .object(["start": .string(TimeText.format(t.start)), "end": .string(TimeText.format(t.end)), "distance_m": .double((t.distance * 10).rounded() / 10)])
            }),
            "stops": .array(r.stops.map { s in
                .object(["start": .string(TimeText.format(s.start)), "end": .string(TimeText.format(s.end)), "duration_s": .double(s.duration),
                         "lon": .double(s.centroid.longitude), "lat": .double(s.centroid.latitude),
                         "site": s.siteID.map(JSONValue.string) ?? .null])
            }),
        ])
    }
}
