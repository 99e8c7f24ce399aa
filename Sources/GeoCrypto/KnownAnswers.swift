import GeoCore

/// Known-answer tests of the national algorithms as linked on this machine: the examples of GB/T 32905-2016
/// (SM3) and GB/T 32907-2016 (SM4) and an HMAC-SM3 tag, run by `citygeo crypto selftest` so that an operator (or a
/// 密评 assessor) can see on the deployed host that the OpenSSL build computes them right.
public enum KnownAnswers {
    /// One check: what was computed, what the standard says, and whether they agree.
    public struct Result: Sendable, Hashable {
        public var name: String
        public var expected: String
        public var computed: String
        public var passed: Bool { expected == computed }
    }

    /// Runs every check; `long` adds GB/T 32907 A.2 (one block enciphered 1,000,000 times, about a second).
    public static func run(long: Bool = true) -> [Result] {
        func check(_ name: String, _ expected: String, _ body: () throws(GeoError) -> [UInt8]) -> Result {
            let computed: String
            do { computed = HexText.encode(try body()) } catch { computed = "error: \(error.message)" }
            return Result(name: name, expected: expected, computed: computed)
        }
        let key: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]
        var results = [
            check("SM3 GB/T 32905-2016 A.1 (\"abc\")", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0") { () throws(GeoError) in
                try SM3.hash(Array("abc".utf8))
            },
            check("SM3 GB/T 32905-2016 A.2 (\"abcd\" × 16)", "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732") { () throws(GeoError) in
                try SM3.hash(Array(String(repeating: "abcd", count: 16).utf8))
            },
            check("SM4 GB/T 32907-2016 A.1 encrypt", "681edf34d206965e86b3e94f536e4246") { () throws(GeoError) in
                try SM4Cipher.block(key, key: key)
            },
            check("SM4 GB/T 32907-2016 A.1 decrypt", HexText.encode(key)) { () throws(GeoError) in
                try SM4Cipher.block(SM4Cipher.block(key, key: key), key: key, encrypt: false)
            },
            check("HMAC-SM3 (key \"key\", \"what do ya want for nothing?\")", "d3bd66a9dcc402c08fa18152fb76d28a6ebf0f0b74f2422ef3dfb29bedb174e8") {
                () throws(GeoError) in try HMACSM3.tag(Array("what do ya want for nothing?".utf8), key: Array("key".utf8))
            },
        ]
        if long {
            results.append(
                check("SM4 GB/T 32907-2016 A.2 (1,000,000 encryptions)", "595298c7c6fd271f0402f804c33d3f66") { () throws(GeoError) in
                    let cipher = try SM4Cipher(mode: .ecb, encrypt: true, key: key, padding: false)
                    var block = key
                    for _ in 0..<1_000_000 { block = try cipher.update(block) }
                    return block
                })
        }
        return results
    }
}
