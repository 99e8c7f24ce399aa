import Foundation

/// Reads track points from the formats vehicle platforms export: CSV, GeoJSON point features, NDJSON
/// (one JSON object per line) and a JSON array of objects.
///
/// Field names are matched case-insensitively with the aliases platforms use: vehicle (`vehicle`,
/// `vehicle_id`, `vid`, `plate`, `device`), time (`time`, `t`, `timestamp`, `gps_time`), longitude (`lon`,
/// `lng`, `longitude`, `x`), latitude (`lat`, `latitude`, `y`), `speed` (km/h), heading (`heading`,
/// `direction`, `course`), `status`. Times are read by ``TimeText`` (ISO 8601 with or without an offset, which is
/// then China Standard Time, or epoch seconds or milliseconds). Every error is a ``GeoError`` whose `location` names
/// the line (or feature) and field.
///
/// This is the one reader of GPS fixes: track uploads, position batches and fence replays all come through it.
public enum TrackParser {
    /// Input formats.
    public enum Format: String, Sendable, CaseIterable {
        case csv, geojson, ndjson, json
    }

    /// Guesses the format from the first non-blank bytes: `[` a JSON array, `{` holding `FeatureCollection`
    /// GeoJSON, `{"points"` or `{"positions"` one JSON object of points, `{` otherwise NDJSON, anything else CSV.
    public static func detectFormat(_ bytes: [UInt8]) -> Format {
        var i = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        guard i < bytes.count else { return .csv }
        if bytes[i] == UInt8(ascii: "[") { return .json }
        if bytes[i] == UInt8(ascii: "{") {
            let head = String(decoding: bytes[i..<min(bytes.count, i + 4096)], as: UTF8.self)
            // A FeatureCollection is one document; so is an object holding the points; NDJSON holds one object per line.
            if head.contains("\"FeatureCollection\"") { return .geojson }
            let firstKey = head.dropFirst().drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
            if firstKey.hasPrefix("\"points\"") || firstKey.hasPrefix("\"positions\"") { return .json }
            return .ndjson
        }
        return .csv
    }

    /// Parses `bytes` in `format` (detected when nil).
    public static func parse(_ bytes: [UInt8], format: Format? = nil) throws(GeoError) -> [TrackPoint] {
        switch format ?? detectFormat(bytes) {
        case .csv: return try parseCSV(bytes)
        case .geojson: return try parseGeoJSON(bytes)
        case .ndjson: return try parseNDJSON(bytes)
        case .json: return try parseJSONArray(bytes)
        }
    }

    // MARK: CSV

    static let vehicleNames = ["vehicle", "vehicle_id", "vid", "plate", "device"]
    static let timeNames = ["time", "t", "timestamp", "gps_time"]
    static let lonNames = ["lon", "lng", "longitude", "x"]
    static let latNames = ["lat", "latitude", "y"]
    static let speedNames = ["speed", "speed_kmh"]
    static let headingNames = ["heading", "direction", "course"]
    static let statusNames = ["status"]

    /// CSV with a header row; vehicle, time, lon and lat columns are required.
    public static func parseCSV(_ bytes: [UInt8]) throws(GeoError) -> [TrackPoint] {
        let records = try CSVReader.read(bytes)
        guard let header = records.first else { return [] }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ aliases: [String], required: String?) throws(GeoError) -> Int? {
            if let index = names.firstIndex(where: { aliases.contains($0) }) { return index }
            if let required {
                throw GeoError(code: .missingColumn,
                               message: "the CSV header has no \(required) column (one of \(aliases.joined(separator: ", ")))",
                               location: "line \(header.line)")
            }
            return nil
        }
        let vehicleColumn = try column(vehicleNames, required: "vehicle")!
        let timeColumn = try column(timeNames, required: "time")!
        let lonColumn = try column(lonNames, required: "longitude")!
        let latColumn = try column(latNames, required: "latitude")!
        let speedColumn = try column(speedNames, required: nil)
        let headingColumn = try column(headingNames, required: nil)
        let statusColumn = try column(statusNames, required: nil)

        var points: [TrackPoint] = []
        points.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            func field(_ index: Int) -> String {
                index < record.fields.count ? record.fields[index].trimmingCharacters(in: .whitespaces) : ""
            }
            func place(_ index: Int) -> String { "line \(record.line), column \(names[index])" }
            let vehicle = field(vehicleColumn)
            guard !vehicle.isEmpty else {
                throw GeoError(code: .invalidTrackPoint, message: "empty vehicle on line \(record.line)", location: place(vehicleColumn))
            }
            let time = try TimeText.seconds(field(timeColumn), field: "time", location: place(timeColumn))
            let lon = try number(field(lonColumn), location: place(lonColumn), range: -180...180)
            let lat = try number(field(latColumn), location: place(latColumn), range: -90...90)
            var speed: Double? = nil, heading: Double? = nil
            if let c = speedColumn { speed = try optionalNumber(field(c), location: place(c), range: 0...Double.greatestFiniteMagnitude) }
            if let c = headingColumn { heading = try optionalNumber(field(c), location: place(c), range: nil) }
            let status = statusColumn.map(field).flatMap { $0.isEmpty ? nil : $0 }
            points.append(TrackPoint(vehicle: vehicle, time: time, longitude: lon, latitude: lat,
                                     speed: speed, heading: heading, status: status))
        }
        return points
    }

    // MARK: JSON forms

    /// A GeoJSON FeatureCollection (or a single Feature) of Point features whose properties hold vehicle,
    /// time, and optionally speed, heading and status.
    public static func parseGeoJSON(_ bytes: [UInt8]) throws(GeoError) -> [TrackPoint] {
        let collection = try GeoJSON.decodeFeatures(bytes)
        var points: [TrackPoint] = []
        points.reserveCapacity(collection.features.count)
        for (index, feature) in collection.features.enumerated() {
            guard case .point(let point)? = feature.geometry else {
                throw GeoError(code: .invalidTrackPoint, message: "feature \(index) is not a Point",
                               location: "features[\(index)].geometry")
            }
            var members = feature.properties
            members["lon"] = .double(point.coordinate.longitude)
            members["lat"] = .double(point.coordinate.latitude)
            points.append(try trackPoint(members, place: { "features[\(index)].properties.\($0)" }))
        }
        return points
    }

    /// One JSON object per line (blank lines skipped): `{"vehicle":…, "time":…, "lon":…, "lat":…}`; a line
    /// may also be a GeoJSON Point feature.
    public static func parseNDJSON(_ bytes: [UInt8]) throws(GeoError) -> [TrackPoint] {
        var points: [TrackPoint] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            let value: JSONValue
            do throws(GeoError) {
                value = try JSON.decode(text)
            } catch {
                throw GeoError(code: .invalidJSON, message: "line \(lineNumber) is not JSON: \(error.message)",
                               location: "line \(lineNumber)")
            }
            let n = lineNumber
            points.append(try trackPoint(from: value, place: { "line \(n), field \($0)" }))
        }
        return points
    }

    /// A JSON array of objects, or an object holding one under `points` or `positions` (the body of
    /// `POST /v1/positions`); locations name the member, e.g. `positions[3].time`.
    public static func parseJSONArray(_ bytes: [UInt8]) throws(GeoError) -> [TrackPoint] {
        try parseJSONArray(try JSON.decode(bytes))
    }

    /// The fixes of an already decoded JSON body; see ``parseJSONArray(_:)-(Array<UInt8>)``.
    public static func parseJSONArray(_ value: JSONValue) throws(GeoError) -> [TrackPoint] {
        let items: [JSONValue]
        var member = "points"
        switch value {
        case .array(let array): items = array
        case .object(let members):
            if case .array(let array)? = members["points"] {
                items = array
            } else if case .array(let array)? = members["positions"] {
                items = array
                member = "positions"
            } else {
                throw GeoError(code: .invalidTrackPoint, message: "expected an array of points, {\"points\": [...]} or {\"positions\": [...]}",
                               location: "points")
            }
        default:
            throw GeoError(code: .invalidTrackPoint, message: "expected an array of points", location: "$")
        }
        var points: [TrackPoint] = []
        points.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            points.append(try trackPoint(from: item, place: { "\(member)[\(index)].\($0)" }))
        }
        return points
    }

    /// An object with point fields, or a GeoJSON Point feature.
    static func trackPoint(from value: JSONValue, place: (String) -> String) throws(GeoError) -> TrackPoint {
        guard case .object(var members) = value else {
            throw GeoError(code: .invalidTrackPoint, message: "a track point must be a JSON object", location: place("$"))
        }
        if members["type"]?.stringValue == "Feature" {
            let feature = try GeoJSON.decodeFeature(from: value)
            guard case .point(let point)? = feature.geometry else {
                throw GeoError(code: .invalidTrackPoint, message: "the feature is not a Point", location: place("geometry"))
            }
            members = feature.properties
            members["lon"] = .double(point.coordinate.longitude)
            members["lat"] = .double(point.coordinate.latitude)
        }
        return try trackPoint(members, place: place)
    }

    static func trackPoint(_ members: [String: JSONValue], place: (String) -> String) throws(GeoError) -> TrackPoint {
        var lowered: [String: JSONValue] = [:]
        for (key, value) in members { lowered[key.lowercased()] = value }
        func find(_ aliases: [String]) -> (String, JSONValue)? {
            for name in aliases { if let v = lowered[name], v != .null { return (name, v) } }
            return nil
        }
        func required(_ aliases: [String], _ what: String) throws(GeoError) -> (String, JSONValue) {
            guard let found = find(aliases) else {
                throw GeoError(code: .missingField, message: "the point has no \(what) (one of \(aliases.joined(separator: ", ")))",
                               location: place(aliases[0]))
            }
            return found
        }
        func numeric(_ found: (String, JSONValue), range: ClosedRange<Double>?) throws(GeoError) -> Double {
            if let d = found.1.doubleValue {
                if let range, !range.contains(d) || !d.isFinite {
                    let expected = range.upperBound == .greatestFiniteMagnitude ? "must not be negative" : "is out of range \(range)"
                    throw GeoError(code: .invalidTrackPoint, message: "\(found.0) \(d) \(expected)", location: place(found.0))
                }
                return d
            }
            if let s = found.1.stringValue { return try number(s, location: place(found.0), range: range) }
            throw GeoError(code: .invalidTrackPoint, message: "\(found.0) must be a number", location: place(found.0))
        }
        let (vehicleName, vehicleValue) = try required(vehicleNames, "vehicle")
        let vehicle: String
        switch vehicleValue {
        case .string(let s) where !s.isEmpty: vehicle = s
        case .int(let i): vehicle = String(i)
        default:
            throw GeoError(code: .invalidTrackPoint, message: "vehicle must be a non-empty string", location: place(vehicleName))
        }
        let timeField = try required(timeNames, "time")
        let time = try TimeText.seconds(timeField.1, field: timeField.0, location: place(timeField.0))
        let lon = try numeric(try required(lonNames, "longitude"), range: -180...180)
        let lat = try numeric(try required(latNames, "latitude"), range: -90...90)
        var speed: Double? = nil, heading: Double? = nil
        if let f = find(speedNames) { speed = try numeric(f, range: 0...Double.greatestFiniteMagnitude) }
        if let f = find(headingNames) { heading = try numeric(f, range: nil) }
        // A device status is text, a code (0 idle, 1 working) or a flag (ignition on/off); an object or array is a mistake.
        var status: String? = nil
        if let (name, value) = find(statusNames) {
            switch value {
            case .string(let text): status = text
            case .int(let code): status = String(code)
            case .bool(let flag): status = flag ? "true" : "false"
            default: throw GeoError(code: .invalidTrackPoint, message: "\(name) must be text, a whole number or true/false", location: place(name))
            }
        }
        return TrackPoint(vehicle: vehicle, time: time, longitude: lon, latitude: lat, speed: speed, heading: heading, status: status)
    }

    // MARK: values

    static func number(_ text: String, location: String, range: ClosedRange<Double>?) throws(GeoError) -> Double {
        guard let value = Double(text), value.isFinite else {
            throw GeoError(code: .invalidTrackPoint, message: "\"\(text)\" is not a number", location: location)
        }
        if let range, !range.contains(value) {
            let expected = range.upperBound == .greatestFiniteMagnitude ? "must not be negative" : "is out of range \(range)"
            throw GeoError(code: .invalidTrackPoint, message: "\(value) \(expected)", location: location)
        }
        return value
    }

    static func optionalNumber(_ text: String, location: String, range: ClosedRange<Double>?) throws(GeoError) -> Double? {
        text.isEmpty ? nil : try number(text, location: location, range: range)
    }
}
