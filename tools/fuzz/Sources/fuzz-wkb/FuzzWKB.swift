import FuzzChecks
import GeoCore

/// WKB, EWKB and their hexadecimal text. Any input must either throw a GeoError or give a geometry that writes
/// back to WKB and reads back equal with its SRID; a geometry with finite coordinates must also survive WKT and
/// GeoJSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWKB(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    check(try? WKB.decodeWithSRID(bytes))
    // The same bytes as hex text: mostly rejected at once, but seeds in hex reach the reader this way.
    check(try? WKB.decodeWithSRID(hex: String(decoding: bytes, as: UTF8.self)))
    return 0
}

private func check(_ decoded: GeometryWithSRID?) {
    guard let decoded else { return }
    FuzzCheck.require(FuzzCheck.hasOnlyFiniteCoordinates(decoded.geometry), "WKB decoded a non-finite coordinate")
    FuzzCheck.requireRoundTrips(decoded.geometry, srid: decoded.srid, source: "WKB")
}
