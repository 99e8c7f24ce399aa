import FuzzChecks
import GeoCore

/// WKT and EWKT. Any text (bytes made a String the lossy way, as a server does with a request body) must either
/// throw a GeoError or give a geometry with finite coordinates (the empty point aside) that writes back to WKT
/// and reads back equal, with its SRID, and survives WKB and GeoJSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWKT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let decoded = try? WKT.decodeWithSRID(text) else { return 0 }
    FuzzCheck.require(FuzzCheck.hasOnlyFiniteCoordinates(decoded.geometry), "WKT decoded a non-finite coordinate")
    FuzzCheck.requireRoundTrips(decoded.geometry, srid: decoded.srid, source: "WKT")
    return 0
}
