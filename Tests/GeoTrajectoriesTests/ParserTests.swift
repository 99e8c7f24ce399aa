import Foundation
import GeoCore
import Testing

@testable import GeoTrajectories

@Suite struct ParserTests {
    @Test(arguments: [
        ("2026-11-23T09:00:00+08:00", 1_795_395_600.0),
        ("2026-11-23T01:00:00Z", 1_795_395_600.0),
        ("2026-11-23 09:00:00", 1_795_395_600.0),  // no offset: China Standard Time
        ("2026-11-23T09:00:00.5+0800", 1_795_395_600.5),
        ("2026-11-23T09:00+08:00", 1_795_395_600.0),
        ("1795395600", 1_795_395_600.0),
        ("1795395600500", 1_795_395_600.5),  // milliseconds
        ("2000-03-01T00:00:00Z", 951_868_800.0),
    ])
    func times(text: String, epoch: Double) throws {
        #expect(try TrackParser.parseTime(text) == epoch)
    }

    @Test(arguments: ["2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "yesterday", "2026-11-23T09:00:00+08:00x"])
    func badTimes(text: String) {
        #expect(throws: GeoError.self) { try TrackParser.parseTime(text) }
    }

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
        let arrayBad = "[{\"vehicle\":\"A\",\"time\":1,\"lon\":120,\"lat\":33},{\"vehicle\":\"A\",\"lon\":120,\"lat\":33}]"
        do {
            let error = #expect(throws: GeoError.self) { _ = try TrackParser.parse(Array(arrayBad.utf8)) }
            #expect(error?.location == "points[1].time" && error?.code == .missingField)
        }
    }

    @Test func days() {
        #expect(TrackMeasures.day(of: 1_795_395_600) == "2026-11-23")
        #expect(TrackMeasures.day(of: 1_795_363_200) == "2026-11-23")  // 00:00 +08:00
        #expect(TrackMeasures.day(of: 1_795_363_199) == "2026-11-22")
        #expect(TrackMeasures.startOfDay("2026-11-23") == 1_795_363_200)
    }
}
