/// Hexadecimal text of bytes, shared by hex WKB and the server's API-key digests.
public enum HexText {
    /// Two digits per byte, high nibble first.
    public static func encode(_ bytes: [UInt8], uppercase: Bool = false) -> String {
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of an even-length run of hex digits (either case), or nil when a character is not a digit or
    /// the count is odd. Callers that must say which digit is wrong use ``digitValue(_:)``.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        for k in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = digitValue(utf8[k]), let low = digitValue(utf8[k + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    /// The value of one ASCII hex digit, or nil.
    public static func digitValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
