import FuzzChecks
import GeoCore

/// GeoJSON and the JSON reader under it. Any input must either throw a GeoError or give a value that:
/// - writes back to JSON and reads back to an equal value (the JSON round trip);
/// - as GeoJSON (any object: collection, feature or bare geometry), has finite coordinates, writes back to
///   GeoJSON and reads back to equal features, and survives WKB and WKT.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeoJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSON.decode(bytes) else { return 0 }
    do {
        let text = try JSON.encodeBytes(value)
        let back = try JSON.decode(text)
        FuzzCheck.require(back == value, "JSON round trip changed the value: \(String(decoding: text, as: UTF8.self))")
    } catch {
        FuzzCheck.require(false, "a decoded JSON value does not write and read back: \(error)")
    }
    guard let collection = try? GeoJSON.decodeFeatures(from: value, options: .projected) else { return 0 }
    // The geographic range check only rejects more: what it accepts must read exactly as the projected read does.
    if let geographic = try? GeoJSON.decodeFeatures(from: value, options: .geographic) {
        FuzzCheck.require(FuzzCheck.sameFeatures(geographic, collection), "geographic and projected reads of the same input differ")
    }
    do {
        let written = try GeoJSON.encodeBytes(collection)
        let back = try GeoJSON.decodeFeatures(written, options: .projected)
        FuzzCheck.require(FuzzCheck.sameFeatures(back, collection), "GeoJSON round trip changed the features: \(String(decoding: written, as: UTF8.self))")
    } catch {
        FuzzCheck.require(false, "decoded GeoJSON does not write and read back: \(error)")
    }
    for feature in collection.features {
        guard let geometry = feature.geometry else { continue }
        FuzzCheck.require(FuzzCheck.hasOnlyFiniteCoordinates(geometry), "GeoJSON decoded a non-finite coordinate")
        FuzzCheck.requireRoundTrips(geometry, srid: nil, source: "GeoJSON", viaGeoJSON: false)
    }
    return 0
}
