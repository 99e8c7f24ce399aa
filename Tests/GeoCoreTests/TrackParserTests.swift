import Foundation
import Testing

@testable import GeoCore

@Suite struct TrackParserTests {
    @Test func csvWithAliasesAndOptionalColumns() throws {
        let csv = """
            Vehicle_ID,GPS_TIME,lng,lat,speed,direction,status
            苏J001,2026-11-23T09:00:00+08:00,120.46,33.19,25.5,90,1
            苏J001,1795395610,120.461,33.19,,,
            """
        let points = try TrackParser.parse(Array(csv.utf8))
        #expect(points.count == 2)
        #expect(points[0] == TrackPoint(vehicle: "苏J001", time: 1_795_395_600, longitude: 120.46, latitude: 33.19,
                                        speed: 25.5, heading: 90, status: "1"))
        #expect(points[1].time == 1_795_395_610)
        #expect(points[1].speed == nil && points[1].heading == nil && points[1].status == nil)
    }

    @Test func csvErrorsNameLineAndColumn() {
        let badLat = "vehicle,time,lon,lat\nA,1795395600,120.46,33.19\nA,1795395610,120.46,95\n"
        #expect(throws: GeoError(code: .invalidTrackPoint, message: "95.0 is out of range -90.0...90.0",
                                 location: "line 3, column lat")) { try TrackParser.parseCSV(Array(badLat.utf8)) }
        let badTime = "vehicle,time,lon,lat\nA,noon,120.46,33.19\n"
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parseCSV(Array(badTime.utf8)) }
            #expect(error?.code == .invalidTime && error?.location == "line 2, column time")
        }
        // Times beyond 1900-2200 are refused: at 1e300 s, days and milliseconds overflowed and stopped the server.
        for huge in ["1e300", "-1e300", "0302-07-24T02:01:15+08:00"] {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parseCSV(Array("vehicle,time,lon,lat\nA,\(huge),120.46,33.19\n".utf8)) }
            #expect(error?.code == .invalidTime && error?.location == "line 2, column time", "\(huge)")
        }
        let hugeJSON = #"[{"vehicle":"A","time":1e300,"lon":120.46,"lat":33.19}]"#
        #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(hugeJSON.utf8)) }
        let noLat = "vehicle,time,lon\nA,1,2\n"
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parseCSV(Array(noLat.utf8)) }
            #expect(error?.code == .missingColumn && error?.location == "line 1")
        }
    }

    @Test func geojsonPoints() throws {
        let text = """
            {"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[120.46,33.19]},"properties":{"vehicle":"A","time":"2026-11-23T01:00:00Z","speed":12}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[120.47,33.2]},"properties":{"vehicle_id":"B","t":1795395610}}]}
            """
        let points = try TrackParser.parse(Array(text.utf8))
        #expect(TrackParser.detectFormat(Array(text.utf8)) == .geojson)
        #expect(points.map(\.vehicle) == ["A", "B"])
        #expect(points.map(\.time) == [1_795_395_600, 1_795_395_610])
        #expect(points[0].speed == 12 && points[1].longitude == 120.47)
        let missing = """
            {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.46,33.19]},"properties":{"vehicle":"A"}}]}
            """
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(missing.utf8)) }
            #expect(error?.location == "features[0].properties.time")
        }
    }

    @Test func ndjsonAndArray() throws {
        let nd = "{\"vehicle\":\"A\",\"time\":1795395600,\"lon\":120.46,\"lat\":33.19}\n\n{\"vehicle\":\"A\",\"time\":\"2026-11-23T09:00:10+08:00\",\"lng\":120.461,\"lat\":33.19,\"status\":2}\n"
        let points = try TrackParser.parse(Array(nd.utf8))
        #expect(TrackParser.detectFormat(Array(nd.utf8)) == .ndjson)
        #expect(points.count == 2 && points[1].time == 1_795_395_610 && points[1].status == "2")
        let bad = "{\"vehicle\":\"A\",\"time\":1,\"lon\":120,\"lat\":33}\n{\"vehicle\":\"A\",\"time\":2,\"lon\":\"east\",\"lat\":33}\n"
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(bad.utf8)) }
            #expect(error?.location == "line 2, field lon")
        }
        let array = "{\"points\":[{\"vehicle\":\"A\",\"time\":1,\"lon\":120,\"lat\":33},{\"vehicle\":7,\"time\":2,\"lon\":120,\"lat\":33}]}"
        #expect(try TrackParser.parse(Array(array.utf8), format: .json).map(\.vehicle) == ["A", "7"])
        // A status is text, a code or a flag; an object was silently turned into text (found by schemathesis).
        let flags = "[{\"vehicle\":\"A\",\"time\":1,\"lon\":120,\"lat\":33,\"status\":true}]"
        #expect(try TrackParser.parse(Array(flags.utf8), format: .json).map(\.status) == ["true"])
        let object = "[{\"vehicle\":\"A\",\"time\":1,\"lon\":120,\"lat\":33,\"status\":{}}]"
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(object.utf8), format: .json) }
            #expect(error?.code == .invalidTrackPoint)
        }
        let arrayBad = "[{\"vehicle\":\"A\",\"time\":1,\"lon\":120,\"lat\":33},{\"vehicle\":\"A\",\"lon\":120,\"lat\":33}]"
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(arrayBad.utf8)) }
            #expect(error?.location == "points[1].time" && error?.code == .missingField)
        }
    }

    /// The columns fence replays and vehicle monitors write (`vehicle_id`, `speed_kmh`) are read by the same parser.
    @Test func monitorColumnsAndPositionsBodies() throws {
        let csv = "\u{FEFF}vehicle_id,time,lon,lat,speed_kmh\n苏J12345,2026-11-23T08:00:00+08:00,120.46,33.2,18.5\n苏J12345,1795392010,120.461,33.2,\n\n"
        #expect(try TrackParser.parse(Array(csv.utf8)) == [
            TrackPoint(vehicle: "苏J12345", time: 1_795_392_000, longitude: 120.46, latitude: 33.2, speed: 18.5),
            TrackPoint(vehicle: "苏J12345", time: 1_795_392_010, longitude: 120.461, latitude: 33.2),
        ])
        let body = #"{"positions": [{"vehicle_id": "T1", "time": "2026-11-23 08:00", "lon": 120.46, "lat": 33.2, "speed_kmh": 20}], "flush": true}"#
        #expect(TrackParser.detectFormat(Array(body.utf8)) == .json)
        #expect(try TrackParser.parse(Array(body.utf8)) == [TrackPoint(vehicle: "T1", time: 1_795_392_000, longitude: 120.46, latitude: 33.2, speed: 20)])
        let bad = #"{"positions": [{"vehicle_id": "T1", "time": 0, "lon": 120.46, "lat": 33.2}, {"vehicle_id": "T1", "time": 0, "lon": "east", "lat": 33.2}]}"#
        let error = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(bad.utf8)) }
        #expect(error?.location == "positions[1].lon" && error?.code == .invalidTrackPoint)
        let negative = "vehicle,time,lon,lat,speed\nA,0,120,33,-4\n"
        let speedError = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(negative.utf8)) }
        #expect(speedError?.location == "line 2, column speed" && speedError?.message == "-4.0 must not be negative")
    }

    /// Saved evaluator states hold fixes; those saved before fixes were unified (GeoFences' `VehiclePosition`)
    /// still decode, and the current form round-trips.
    @Test func savedFixesOfBothFormsDecode() throws {
        let former = #"{"vehicleId":"苏J1","time":1795392000,"coordinate":{"x":120.46,"y":33.2},"speedKmh":18,"heading":90}"#
        let decoded = try JSONDecoder().decode(TrackPoint.self, from: Data(former.utf8))
        #expect(decoded == TrackPoint(vehicle: "苏J1", time: 1_795_392_000, longitude: 120.46, latitude: 33.2, speed: 18, heading: 90))
        let current = TrackPoint(vehicle: "苏J2", time: 1.5, longitude: -1, latitude: 2, status: "1")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(current), as: UTF8.self)
        #expect(text == #"{"lat":2,"lon":-1,"status":"1","time":1.5,"vehicle":"苏J2"}"#)
        #expect(try JSONDecoder().decode(TrackPoint.self, from: Data(text.utf8)) == current)
    }
}
