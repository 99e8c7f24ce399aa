/// Decimal text for Doubles shared by the JSON, GeoJSON and WKT writers.
///
/// Swift's `description` already yields the shortest digit string that reads back to the same Double, but it
/// switches to exponent notation from 1e16 and below 1e-4, which surprises people reading coordinates. We keep
/// its digits and only re-place the decimal point, so round-tripping is untouched.
enum NumberText {
    /// Decimal-point positions outside this range (i.e. magnitudes below 1e-7 or from 1e21) keep exponent notation,
    /// the same cut-offs ECMAScript uses, so that 1e300 does not become 300 digits.
    static let plainRange = -6...21

    /// Appends the shortest round-trip text of a finite `value`.
    /// - Parameter pointZero: whether an integral value gets a trailing `.0` (JSON keeps it so that a real stays
    ///   a real when read back; WKT drops it, as GEOS does).
    static func appendShortest(_ value: Double, to out: inout [UInt8], pointZero: Bool) {
        let text = Array(value.description.utf8)
        var start = 0
        if text.first == UInt8(ascii: "-") {
            out.append(UInt8(ascii: "-"))
            start = 1
        }
        var exponent = 0
        var mantissaEnd = text.count
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            exponent = Int(String(decoding: text[(e + 1)...], as: UTF8.self)) ?? 0
            mantissaEnd = e
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(mantissaEnd - start)
        var pointPosition: Int? = nil
        for b in text[start..<mantissaEnd] {
            if b == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(b) }
        }
        var decimalPoint = (pointPosition ?? digits.count) + exponent
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == UInt8(ascii: "0") { leading += 1 }
        if leading > 0 {
            digits.removeFirst(leading)
            decimalPoint -= leading
        }
        while digits.count > 1 && digits[digits.count - 1] == UInt8(ascii: "0") { digits.removeLast() }
        if digits == [UInt8(ascii: "0")] { decimalPoint = 1 }

        if !plainRange.contains(decimalPoint) {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = decimalPoint - 1
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out.append(contentsOf: String(abs(e)).utf8)
        } else if decimalPoint <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            for _ in 0..<(-decimalPoint) { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: digits)
        } else if decimalPoint >= digits.count {
            out.append(contentsOf: digits)
            for _ in 0..<(decimalPoint - digits.count) { out.append(UInt8(ascii: "0")) }
            if pointZero {
                out.append(UInt8(ascii: "."))
                out.append(UInt8(ascii: "0"))
            }
        } else {
            out.append(contentsOf: digits[..<decimalPoint])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[decimalPoint...])
        }
    }

    /// The shortest round-trip text of a finite `value` as a String (used in error messages).
    static func shortest(_ value: Double, pointZero: Bool = true) -> String {
        guard value.isFinite else { return value.description }
        var out: [UInt8] = []
        appendShortest(value, to: &out, pointZero: pointZero)
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` rounded to `decimals` places, for writers with a coordinate precision. Values too large for the
    /// scaled product to be exact already have no digits at that place and are returned unchanged.
    static func rounded(_ value: Double, decimals: Int) -> Double {
        let scale = pow10(decimals)
        let scaled = value * scale
        guard scaled.isFinite, abs(scaled) < 9.0e15 else { return value }
        let result = scaled.rounded(.toNearestOrAwayFromZero) / scale
        return result == 0 ? 0 : result  // no "-0.0" from rounding a tiny negative
    }

    static func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, n) { result *= 10 }
        return result
    }
}
