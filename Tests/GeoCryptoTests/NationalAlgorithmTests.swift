import Foundation
import GeoCore
import GeoCrypto
import Testing

/// The examples of the standards themselves: GB/T 32905-2016 (SM3) appendix A and GB/T 32907-2016 (SM4)
/// appendix A, then HMAC-SM3, sealing and sealed files built on them.
@Suite struct NationalAlgorithmTests {
    static func hex(_ text: String) -> [UInt8] { HexText.decode(text.replacingOccurrences(of: " ", with: ""))! }

    @Test(arguments: [
        // GB/T 32905-2016 A.1: the 24-bit message "abc".
        ("abc", "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0"),
        // GB/T 32905-2016 A.2: the 512-bit message "abcd" repeated 16 times.
        (String(repeating: "abcd", count: 16), "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732"),
    ])
    func sm3MatchesTheStandardsExamples(message: String, digest: String) throws {
        #expect(try SM3.hash(Array(message.utf8)) == Self.hex(digest))
        // Fed in pieces, the same digest.
        let hasher = try SM3Hasher()
        for piece in message.utf8.map({ [$0] }) { try hasher.update(piece) }
        #expect(try hasher.finalize() == Self.hex(digest))
    }

    @Test func sm4MatchesTheStandardsExamples() throws {
        // GB/T 32907-2016 A.1: key and plaintext 0123456789abcdeffedcba9876543210.
        let key = Self.hex("01234567 89abcdef fedcba98 76543210")
        let once = try SM4Cipher.block(key, key: key)
        #expect(once == Self.hex("681edf34 d206965e 86b3e94f 536e4246"))
        #expect(try SM4Cipher.block(once, key: key, encrypt: false) == key)
        // A.2: the same plaintext enciphered 1,000,000 times with the same key.
        let cipher = try SM4Cipher(mode: .ecb, encrypt: true, key: key, padding: false)
        var block = key
        for _ in 0..<1_000_000 { block = try cipher.update(block) }
        #expect(block == Self.hex("595298c7 c6fd271f 0402f804 c33d3f66"))
    }

    @Test func sm4CBCRoundTripsWithPadding() throws {
        let key = Array(repeating: UInt8(7), count: 16)
        let iv = Array(repeating: UInt8(9), count: 16)
        let plaintext = Array("十七个字节的明文".utf8)  // 24 bytes: two blocks after padding
        let encrypt = try SM4Cipher(mode: .cbc, encrypt: true, key: key, iv: iv, padding: true)
        let ciphertext = try encrypt.update(plaintext) + encrypt.finish()
        #expect(ciphertext.count == 32)
        let decrypt = try SM4Cipher(mode: .cbc, encrypt: false, key: key, iv: iv, padding: true)
        #expect(try decrypt.update(ciphertext) + decrypt.finish() == plaintext)
    }

    @Test func hmacSM3MatchesOpenSSLsCommandLine() throws {
        // `echo -n "what do ya want for nothing?" | openssl dgst -sm3 -hmac key`
        let tag = try HMACSM3.tag(Array("what do ya want for nothing?".utf8), key: Array("key".utf8))
        #expect(HexText.encode(tag) == "d3bd66a9dcc402c08fa18152fb76d28a6ebf0f0b74f2422ef3dfb29bedb174e8")
    }

    static let keyLine = String(repeating: "0f1e2d3c4b5a6978", count: 4)

    @Test func sealedValuesOpenOnlyInTheirPlaceWithTheirKey() throws {
        let ring = try DataKeyRing.parse("# test key\n\(Self.keyLine)\n", source: "test")
        let sealed = try SealedText.seal("13912345678", place: "cases.reporter_phone", key: ring.current)
        #expect(SealedText.isSealed(sealed))
        #expect(!sealed.contains("13912345678"))
        #expect(SealedText.keyID(of: sealed) == ring.current.id)
        #expect(try SealedText.open(sealed, place: "cases.reporter_phone", keys: ring) == "13912345678")
        // Two seals of one value differ (random IV), so equal values cannot be spotted in the table.
        #expect(try SealedText.seal("13912345678", place: "cases.reporter_phone", key: ring.current) != sealed)
        // Moved to another column: refused.
        #expect(throws: GeoError.self) { try SealedText.open(sealed, place: "cases.driver", keys: ring) }
        do {
            _ = try SealedText.open(sealed, place: "cases.driver", keys: ring)
        } catch {
            #expect(error.code == .integrityError)
        }
        // One bit flipped in the ciphertext: refused.
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(4)))!)
        bytes[30] ^= 1
        let flipped = "sm4:" + Data(bytes).base64EncodedString()
        do {
            _ = try SealedText.open(flipped, place: "cases.reporter_phone", keys: ring)
            Issue.record("a changed value opened")
        } catch {
            #expect(error.code == .integrityError)
        }
        // A ring without the value's key says which key is missing.
        let other = try DataKeyRing.parse(String(repeating: "ab", count: 32), source: "other")
        do {
            _ = try SealedText.open(sealed, place: "cases.reporter_phone", keys: other)
            Issue.record("opened with the wrong key")
        } catch {
            #expect(error.code == .encryptionKeyMissing)
            #expect(error.message.contains(ring.current.id))
        }
    }

    @Test func keyFilesAreCheckedAndTheirLastKeyIsCurrent() throws {
        let second = String(repeating: "11", count: 32)
        let ring = try DataKeyRing.parse("\(Self.keyLine)\n\(second)\n", source: "keys")
        #expect(ring.keys.count == 2)
        #expect(ring.current == (try DataKey(material: HexText.decode(second)!)))
        do {
            _ = try DataKeyRing.parse("not-a-key\n", source: "keys")
            Issue.record("a malformed key was accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.location == "line 1")
        }
        do {
            _ = try DataKeyRing.parse("# nothing\n", source: "keys")
            Issue.record("an empty key file was accepted")
        } catch {
            #expect(error.code == .encryptionKeyMissing)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data(Self.keyLine.utf8), attributes: [.posixPermissions: 0o644]))
        do {
            _ = try DataKeyRing.load(file: file.path)
            Issue.record("a world-readable key file was accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(try DataKeyRing.load(file: file.path).current.id == ring.keys[0].id)
        #expect(try DataKeyRing.configured(file: nil, environmentKey: nil) == nil)
    }

    @Test(arguments: [0, 5, 1 << 20, (1 << 20) + 3, 3 << 20])
    func sealedFilesRoundTripAndRefuseTruncation(size: Int) throws {
        let ring = try DataKeyRing.parse(Self.keyLine, source: "test")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-seal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SeededGenerator(seed: UInt64(size))
        let content = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let plain = directory.appendingPathComponent("plain")
        try Data(content).write(to: plain)
        let sealed = directory.appendingPathComponent("sealed")
        let digests = try SealedFile.seal(plain, to: sealed, key: ring.current)
        #expect(digests.plaintextSM3 == HexText.encode(try SM3.hash(content)))
        #expect(digests.sealedSM3 == (try SealedFile.sm3(of: sealed)))
        #expect(digests.plaintextBytes == size)
        let opened = directory.appendingPathComponent("opened")
        let back = try SealedFile.open(sealed, to: opened, keys: ring)
        #expect(back == digests)
        #expect(Array(try Data(contentsOf: opened)) == content)
        // Cut at the end: refused, and no output left behind.
        let bytes = try Data(contentsOf: sealed)
        let cut = directory.appendingPathComponent("cut")
        try bytes.prefix(bytes.count - 1).write(to: cut)
        let failed = directory.appendingPathComponent("failed")
        do {
            _ = try SealedFile.open(cut, to: failed, keys: ring)
            Issue.record("a truncated sealed file opened")
        } catch {
            #expect(error.code == .integrityError)
        }
        #expect(!FileManager.default.fileExists(atPath: failed.path))
    }
}

/// What `citygeo crypto selftest` runs.
@Suite struct KnownAnswerTests {
    @Test func everyKnownAnswerPassesAndAWrongOneWouldShow() {
        let results = KnownAnswers.run(long: false)
        #expect(results.count == 5)
        let failed = results.filter { !$0.passed }
        #expect(failed.isEmpty, "\(failed)")
        #expect(results.first?.computed == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        var wrong = results[0]
        wrong.computed = String(wrong.computed.reversed())
        #expect(!wrong.passed)
    }
}
