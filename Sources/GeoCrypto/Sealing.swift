import Foundation
import GeoCore

/// Authenticated encryption with the national algorithms: SM4-CBC then HMAC-SM3 over everything (encrypt then
/// MAC), as GB/T 39786 accepts for data at rest.
///
/// A sealed value is `01 | key id (4) | IV (16) | ciphertext | tag (32)`; the tag covers the version, key id,
/// IV, ciphertext and the caller's associated data (which binds a value to its place, e.g. `layer.column`, so
/// that values cannot be swapped between columns unnoticed).
public enum Sealing {
    static let version: UInt8 = 1
    static let overhead = 1 + 4 + SM4Cipher.blockSize + SM3.digestSize

    /// `plaintext` sealed under `key`.
    public static func seal(_ plaintext: [UInt8], associatedData: [UInt8], key: DataKey) throws(GeoError) -> [UInt8] {
        let iv = try SecureRandom.bytes(SM4Cipher.blockSize)
        let cipher = try SM4Cipher(mode: .cbc, encrypt: true, key: key.encryptionKey, iv: iv, padding: true)
        var sealed = [version] + HexText.decode(key.id)! + iv
        sealed += try cipher.update(plaintext)
        sealed += try cipher.finish()
        sealed += try tag(sealed, associatedData: associatedData, key: key)
        return sealed
    }

    /// The plaintext of `sealed`: `encryption_key_missing` when the ring lacks its key, `integrity_error` when the
    /// tag does not match (changed data, another place's value, a wrong key).
    public static func open(_ sealed: [UInt8], associatedData: [UInt8], keys: DataKeyRing) throws(GeoError) -> [UInt8] {
        guard sealed.count >= overhead + SM4Cipher.blockSize, sealed[0] == version else {
            throw GeoError(code: .integrityError, message: "not a sealed value of this version")
        }
        let keyId = try keyID(of: sealed)
        guard let key = keys.key(id: keyId) else {
            throw GeoError(code: .encryptionKeyMissing, message: "the value is sealed with data key \(keyId), which the key ring does not hold")
        }
        let body = Array(sealed.dropLast(SM3.digestSize))
        guard ConstantTime.equal(try tag(body, associatedData: associatedData, key: key), Array(sealed.suffix(SM3.digestSize))) else {
            throw GeoError(code: .integrityError, message: "a sealed value failed its HMAC-SM3 check: it was changed, or belongs elsewhere")
        }
        let iv = Array(body[5..<(5 + SM4Cipher.blockSize)])
        let cipher = try SM4Cipher(mode: .cbc, encrypt: false, key: key.encryptionKey, iv: iv, padding: true)
        return try cipher.update(Array(body[(5 + SM4Cipher.blockSize)...])) + cipher.finish()
    }

    /// The id of the data key a sealed value was made with.
    public static func keyID(of sealed: [UInt8]) throws(GeoError) -> String {
        guard sealed.count >= 5 else { throw GeoError(code: .integrityError, message: "a sealed value is too short") }
        return HexText.encode(Array(sealed[1..<5]))
    }

    private static func tag(_ body: [UInt8], associatedData: [UInt8], key: DataKey) throws(GeoError) -> [UInt8] {
        let mac = try HMACSM3(key: key.macKey)
        try mac.update(body)
        try mac.update(associatedData)
        // The length last, so that no split of body and associated data yields the same input.
        try mac.update(withUnsafeBytes(of: UInt64(associatedData.count).bigEndian, Array.init))
        return try mac.finalize()
    }
}

/// Sealed values as text, for database columns: `sm4:` and the sealed bytes in base64.
public enum SealedText {
    static let prefix = "sm4:"

    /// Whether a stored text is a sealed value (rather than a plaintext left from before a column was marked).
    public static func isSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// `plaintext` sealed as text.
    public static func seal(_ plaintext: String, place: String, key: DataKey) throws(GeoError) -> String {
        prefix + Data(try Sealing.seal(Array(plaintext.utf8), associatedData: Array(place.utf8), key: key)).base64EncodedString()
    }

    /// The plaintext of a sealed text.
    public static func open(_ text: String, place: String, keys: DataKeyRing) throws(GeoError) -> String {
        guard let data = Data(base64Encoded: String(text.dropFirst(prefix.count))), isSealed(text) else {
            throw GeoError(code: .integrityError, message: "a sealed value of \(place) is not base64 after sm4:")
        }
        return String(decoding: try Sealing.open(Array(data), associatedData: Array(place.utf8), keys: keys), as: UTF8.self)
    }

    /// The id of the data key a sealed text was made with, nil for a text that is not sealed.
    public static func keyID(of text: String) -> String? {
        guard isSealed(text), let data = Data(base64Encoded: String(text.dropFirst(prefix.count))) else { return nil }
        return try? Sealing.keyID(of: Array(data))
    }
}
