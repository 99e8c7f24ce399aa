import FuzzChecks
import GeoAddress

/// The address normaliser and parser, on any text: bytes made a String the lossy way (invalid UTF-8 becomes
/// U+FFFD, as in a request body), so odd Unicode, control characters and long runs all reach them.
/// Checks: normalising is idempotent, the parser reports the normalised text it parsed, and every number it
/// read is one the text could hold (non-negative door, building, unit and floor; a finite distance).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAddress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let once = AddressNormalizer.normalize(text)
    let twice = AddressNormalizer.normalize(once)
    FuzzCheck.require(once == twice, "normalising is not idempotent: \(text.debugDescription) → \(once) → \(twice)")
    let parsed = emptyBookGeocoder.parse(text)
    FuzzCheck.require(parsed.normalized == once, "the parser's normalised text differs from normalize()")
    checkNumbers(parsed)
    return 0
}

/// A geocoder over an empty book: the parser then reads names by their suffixes alone.
let emptyBookGeocoder = Geocoder(book: AddressBook())

func checkNumbers(_ parsed: ParsedAddress) {
    for (name, value) in [("door number", parsed.doorNumber), ("building", parsed.building), ("unit", parsed.unit), ("floor", parsed.floor)] {
        if let value { FuzzCheck.require(value >= 0, "negative \(name) \(value) from \(parsed.normalized)") }
    }
    if let distance = parsed.direction?.distanceMetres {
        FuzzCheck.require(distance.isFinite && distance >= 0, "direction distance \(distance) from \(parsed.normalized)")
    }
}
