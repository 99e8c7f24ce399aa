import Foundation
import GeoCore
import GeoFences
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/fences`, `/v1/vehicles`, `/v1/positions` and `/v1/events`: electronic fences for vehicle monitors.
///
/// Fences travel as GeoJSON Features whose properties carry ``Fence``'s fields; positions and events as JSON
/// with snake_case names and ISO 8601 times (or seconds since 1970 on input).
struct FenceController {
    let monitor: FenceMonitor
    /// Where events happened, for keys limited to regions.
    let grids: LayerVersionedValue<GridLocator>
    let maximumBodyBytes: Int
    let maximumBatchPositions: Int
    let maximumGeometryVertices: Int
    /// How often an event stream sends a heartbeat comment.
    let streamHeartbeat: Duration

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("fences", use: listFences)
        group.post("fences", use: createFence)
        group.get("fences/:id", use: getFence)
        group.put("fences/:id", use: replaceFence)
        group.delete("fences/:id", use: deleteFence)
        group.put("vehicles", use: replaceVehicles)
        group.get("vehicles", use: listVehicles)
        group.post("positions", use: ComputePool.shared.offloaded(ingestPositions))
        group.get("events", use: listEvents)
        group.get("events/stream", use: streamEvents)
    }

    /// `GET /v1/fences`.
    @Sendable func listFences(_ request: Request, context: CityRequestContext) async throws -> Response {
        let fences = try await monitor.fences()
        return JSONResponse.bytes(
            try GeoJSON.encodeBytes(FeatureCollection(fences.map(\.feature))), contentType: "application/geo+json")
    }

    /// `POST /v1/fences`.
    @Sendable func createFence(_ request: Request, context: CityRequestContext) async throws -> Response {
        let fence = try await Self.fence(from: RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes), maximumVertices: maximumGeometryVertices)
        let created = try await Self.mapped { try await monitor.create(fence) }
        return JSONResponse.bytes(try GeoJSON.encodeBytes(created.feature), contentType: "application/geo+json", status: .created)
    }

    /// `GET /v1/fences/:id`.
    @Sendable func getFence(_ request: Request, context: CityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let fence = try await monitor.fence(id: id) else {
            throw APIError(code: .notFound, message: "no fence \(id)", details: ["field": "id"])
        }
        return JSONResponse.bytes(try GeoJSON.encodeBytes(fence.feature), contentType: "application/geo+json")
    }

    /// `PUT /v1/fences/:id`.
    @Sendable func replaceFence(_ request: Request, context: CityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        var body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        // The path names the fence: fill in or check the id in the body.
        if case .object(var feature) = body, case .object(var properties)? = feature["properties"] {
            if let given = properties["id"], given != .null, given.stringValue == nil {
                throw APIError(code: .invalidFence, message: "properties.id must be a string (the path's \(id))", details: ["field": "properties.id"])
            }
            if let given = properties["id"]?.stringValue, given != id {
                throw APIError(code: .invalidFence, message: "properties.id \(given) differs from the path's \(id)", details: ["field": "properties.id"])
            }
            properties["id"] = .string(id)
            feature["properties"] = .object(properties)
            body = .object(feature)
        }
        let fence = try Self.fence(from: body, maximumVertices: maximumGeometryVertices)
        let replaced = try await Self.mapped { try await monitor.replace(id: id, with: fence) }
        return JSONResponse.bytes(try GeoJSON.encodeBytes(replaced.feature), contentType: "application/geo+json")
    }

    /// `DELETE /v1/fences/:id`.
    @Sendable func deleteFence(_ request: Request, context: CityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        try await Self.mapped { try await monitor.delete(id: id) }
        return Response(status: .noContent)
    }

    /// `PUT /v1/vehicles`.
    @Sendable func replaceVehicles(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        let vehicles = try Self.vehicles(from: body)
        try await monitor.setRegistry(vehicles)
        return try JSONResponse.make(.object(["count": .int(Int64(vehicles.count))]))
    }

    /// `GET /v1/vehicles`.
    @Sendable func listVehicles(_ request: Request, context: CityRequestContext) async throws -> Response {
        let vehicles = await monitor.registry?.vehicles.values.sorted { $0.id < $1.id } ?? []
        return try JSONResponse.make(.array(vehicles.map(Self.describe)))
    }

    /// `POST /v1/positions`.
    @Sendable func ingestPositions(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        let (positions, flush) = try Self.positions(from: body, maximumCount: maximumBatchPositions)
        return try JSONResponse.make(Self.describe(try await monitor.ingest(positions, flush: flush), received: positions))
    }

    /// `GET /v1/events`.
    @Sendable func listEvents(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = try Self.eventQuery(request.uri.queryParameters)
        let region = try await RegionFilter.of(context, grids: grids)
        let events = try await monitor.events(matching: query).filter { Self.visible($0, in: region) }
        return try JSONResponse.make(.object(["count": .int(Int64(events.count)), "events": .array(events.map(Self.describe))]))
    }

    /// `GET /v1/events/stream`: server-sent events: stored events matching the filters first (none unless `from` is
    /// given), then every new one as it is raised, with a heartbeat comment every ``streamHeartbeat``; `limit` ends
    /// the stream after that many (for scripts and tests), and so do the client's departure and graceful shutdown.
    @Sendable func streamEvents(_ request: Request, context: CityRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let query = try Self.eventQuery(parameters)
        let region = try await RegionFilter.of(context, grids: grids)
        let live = await monitor.subscribe()
        let stored = parameters["from"] == nil ? [] : try await monitor.events(matching: query).filter { Self.visible($0, in: region) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let stream = EventStream(
            live: live, heartbeat: streamHeartbeat, include: { Self.matches($0, query) && Self.visible($0, in: region) },
            limit: query.limit)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(stored: stored, to: &writer) })
    }

    /// Whether a region-limited caller sees an event: it started in the caller's regions.
    static func visible(_ event: FenceEvent, in region: RegionFilter?) -> Bool {
        guard let region else { return true }
        return event.startPosition.map(region.contains) ?? false
    }

    // MARK: input

    static func fence(from body: JSONValue, maximumVertices: Int) throws -> Fence {
        let feature: Feature
        do {
            feature = try GeoJSON.decodeFeature(from: body)
        } catch {
            throw APIError(error, field: error.location ?? "body")
        }
        if let geometry = feature.geometry { try RequestParsing.checkVertexCount(geometry, field: "geometry", maximum: maximumVertices) }
        do {
            return try Fence(feature: feature)
        } catch {
            var details: [String: JSONValue] = [:]
            // Fence fields live in the feature's properties; name them where the client wrote them.
            if let location = error.location {
                let inProperties = location != "geometry" && !location.hasPrefix("properties")
                details["field"] = .string(inProperties ? "properties." + location : location)
            }
            throw APIError(code: error.code, message: error.message, details: details)
        }
    }

    static func vehicles(from body: JSONValue) throws -> [Vehicle] {
        guard case .array(let items) = body else {
            throw APIError(code: .invalidArgument, message: "body must be an array of {id, class, group}", details: ["field": "$"])
        }
        return try items.enumerated().map { k, item in
            guard case .object(let o) = item, let id = o["id"]?.stringValue, !id.isEmpty else {
                throw APIError(code: .invalidArgument, message: "vehicle \(k) needs a string id", details: ["field": .string("[\(k)].id")])
            }
            guard let vehicleClass = o["class"]?.stringValue else {
                throw APIError(code: .invalidArgument, message: "vehicle \(id) needs a class", details: ["field": .string("[\(k)].class")])
            }
            let group: String?
            switch o["group"] {
            case .none, .some(.null): group = nil
            case .some(.string(let name)): group = name
            case .some:
                throw APIError(code: .invalidArgument, message: "vehicle \(id): group must be a string", details: ["field": .string("[\(k)].group")])
            }
            return Vehicle(id: id, vehicleClass: vehicleClass, group: group)
        }
    }

    /// `{"positions": [{vehicle_id, time, lon, lat, speed_kmh?, heading?, status?}], "flush": false}`, read by the one
    /// fix parser (``TrackParser``), so a position is read exactly as a track upload is; errors name the member
    /// (`positions[3].time`).
    static func positions(from body: JSONValue, maximumCount: Int) throws -> ([TrackPoint], Bool) {
        guard case .object(let object) = body, case .array(let items)? = object["positions"] else {
            throw APIError(code: .invalidArgument, message: "body must be {\"positions\": [...]}", details: ["field": "positions"])
        }
        guard items.count <= maximumCount else {
            throw APIError(code: .batchTooLarge, message: "positions has \(items.count) entries; the limit is \(maximumCount)",
                details: ["field": "positions", "maximum": .int(Int64(maximumCount))])
        }
        let positions: [TrackPoint]
        do {
            positions = try TrackParser.parseJSONArray(body)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": .string(error.location ?? "positions")])
        }
        let flush: Bool
        switch object["flush"] {
        case .none, .some(.null): flush = false
        case .some(.bool(let b)): flush = b
        case .some: throw APIError(code: .invalidArgument, message: "flush must be true or false", details: ["field": "flush"])
        }
        return (positions, flush)
    }

    static func eventQuery(_ parameters: Parameters) throws -> FenceEventQuery {
        var query = FenceEventQuery()
        query.vehicleId = parameters["vehicle"].map(String.init)
        if let kind = parameters["kind"].map(String.init) {
            guard FenceRuleKind(rawValue: kind) != nil else {
                throw APIError(code: .invalidArgument,
                    message: "kind must be one of \(FenceRuleKind.allCases.map(\.rawValue).joined(separator: ", "))", details: ["field": "kind"])
            }
            query.kind = kind
        }
        query.fenceId = parameters["fence"].map(String.init)
        for field in ["from", "to"] {
            guard let text = parameters[Substring(field)].map(String.init) else { continue }
            let time = try RequestParsing.time(text, field: field)
            if field == "from" { query.from = time } else { query.to = time }
        }
        if let open = parameters["open"].map(String.init) {
            guard let flag = Bool(open) else {
                throw APIError(code: .invalidArgument, message: "open must be true or false", details: ["field": "open"])
            }
            query.open = flag
        }
        if let limit = parameters["limit"].map(String.init) {
            guard let n = Int(limit), (1...100_000).contains(n) else {
                throw APIError(code: .invalidArgument, message: "limit must be an integer in 1...100000", details: ["field": "limit"])
            }
            query.limit = n
        }
        return query
    }

    /// The filters of a stream applied to a live event (the store applies them to stored ones).
    static func matches(_ e: FenceEvent, _ q: FenceEventQuery) -> Bool {
        (q.vehicleId == nil || q.vehicleId == e.vehicleId) && (q.kind == nil || q.kind == e.kind.rawValue)
            && (q.fenceId == nil || q.fenceId == e.fenceId) && (q.open == nil || q.open == e.isOpen)
    }

    /// Runs a monitor change, naming the field a domain error is about (`properties.id` for an id taken, `id`
    /// for an unknown fence).
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as GeoError {
            throw APIError(error, field: error.location)
        }
    }

    // MARK: output

    /// The answer to a batch of fixes, on both ingest routes (`/v1/positions`, `/v1/trajectories/points`): what was
    /// received and stored, the events it raised and the evaluator's counters.
    static func describe(_ result: FenceMonitor.IngestResult, received: [TrackPoint]) -> JSONValue {
        let counters = result.counters
        return .object([
            "received": .int(Int64(received.count)), "inserted": .int(Int64(result.stored.inserted)),
            "duplicates": .int(Int64(result.stored.duplicates)), "vehicles": .int(Int64(Set(received.map(\.vehicle)).count)),
            "events": .array(result.events.map(Self.describe)),
            "counters": .object([
                "accepted": .int(Int64(counters.accepted)), "duplicates": .int(Int64(counters.duplicates)),
                "late": .int(Int64(counters.late)), "jumps": .int(Int64(counters.jumps)), "invalid": .int(Int64(counters.invalid)),
            ]),
        ])
    }

    static func describe(_ e: FenceEvent) -> JSONValue {
        func point(_ c: Coordinate?) -> JSONValue { c.map { .array([.double($0.x), .double($0.y)]) } ?? .null }
        func number(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
        return .object([
            "id": .string(e.id), "vehicle_id": .string(e.vehicleId), "kind": .string(e.kind.rawValue),
            "fence_id": e.fenceId.map { .string($0) } ?? .null, "fence_version": e.fenceVersion.map { .int(Int64($0)) } ?? .null,
            "start": .string(TimeText.format(e.start)), "end": e.end.map { .string(TimeText.format($0)) } ?? .null,
            "start_position": point(e.startPosition), "end_position": point(e.endPosition),
            "max_speed_kmh": number(e.maxSpeedKmh), "max_distance_m": number(e.maxDistanceMetres), "dwell_s": number(e.dwellSeconds),
            "open": .bool(e.isOpen),
        ])
    }

    static func describe(_ v: Vehicle) -> JSONValue {
        .object(["id": .string(v.id), "class": .string(v.vehicleClass), "group": v.group.map { .string($0) } ?? .null])
    }

    /// The body a webhook receives for an event: the `/v1/events` form.
    @Sendable static func webhookBody(_ event: FenceEvent) -> String {
        (try? JSON.encode(describe(event))) ?? "{}"
    }

    static func serverSentEvent(_ e: FenceEvent) -> ByteBuffer {
        let data = (try? JSON.encode(describe(e))) ?? "{}"
        return ByteBuffer(string: "id: \(e.id)\nevent: \(e.isOpen ? "open" : "close")\ndata: \(data)\n\n")
    }
}
