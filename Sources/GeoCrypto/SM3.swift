internal import CCrypto
import GeoCore

/// SM3 (GB/T 32905-2016), the national hash: 256-bit digests of API keys, of the audit chain and of backup files.
public enum SM3 {
    /// Bytes in a digest.
    public static let digestSize = 32

    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) throws(GeoError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sm3(), nil)
            }
        }
        try OpenSSLCall.check(result, "EVP_Digest(SM3)")
        return Array(digest.prefix(Int(length)))
    }

    /// The digest of a text's UTF-8 bytes, as 64 lowercase hex digits.
    public static func hex(_ text: String) throws(GeoError) -> String { HexText.encode(try hash(Array(text.utf8))) }
}

/// An SM3 digest fed in pieces (files, long records). Owns its OpenSSL context; use it from one task.
public final class SM3Hasher {
    private let context: OpaquePointer

    /// A hasher with nothing fed yet.
    public init() throws(GeoError) {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLCall.failure("EVP_MD_CTX_new") }
        self.context = context
        try OpenSSLCall.check(EVP_DigestInit_ex(context, EVP_sm3(), nil), "EVP_DigestInit_ex(SM3)")
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds `bytes`.
    public func update(_ bytes: UnsafeRawBufferPointer) throws(GeoError) {
        guard bytes.count > 0 else { return }
        try OpenSSLCall.check(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count), "EVP_DigestUpdate(SM3)")
    }

    /// Feeds `bytes`.
    public func update(_ bytes: [UInt8]) throws(GeoError) {
        let result = bytes.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        try OpenSSLCall.check(result, "EVP_DigestUpdate(SM3)")
    }

    /// The digest of everything fed; the hasher cannot be fed afterwards.
    public func finalize() throws(GeoError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        try OpenSSLCall.check(result, "EVP_DigestFinal_ex(SM3)")
        return Array(digest.prefix(Int(length)))
    }
}

/// HMAC over SM3 (GB/T 15852.2 with SM3): the authentication tags of sealed data and the derivation of the
/// SM4 and MAC keys from one data key. Owns its OpenSSL context; use it from one task.
public final class HMACSM3 {
    private let context: OpaquePointer

    /// A MAC keyed with `key`.
    public init(key: [UInt8]) throws(GeoError) {
        let made = key.withUnsafeBufferPointer { citygeo_hmac_sm3_new($0.baseAddress, $0.count) }
        guard let made else { throw OpenSSLCall.failure("EVP_MAC_init(HMAC-SM3)") }
        context = made
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// Feeds `bytes`.
    public func update(_ bytes: [UInt8]) throws(GeoError) {
        let result = bytes.withUnsafeBufferPointer { EVP_MAC_update(context, $0.baseAddress, $0.count) }
        try OpenSSLCall.check(result, "EVP_MAC_update(HMAC-SM3)")
    }

    /// The 32-byte tag of everything fed.
    public func finalize() throws(GeoError) -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: SM3.digestSize)
        var length = 0
        let result = tag.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, $0.count) }
        try OpenSSLCall.check(result, "EVP_MAC_final(HMAC-SM3)")
        return Array(tag.prefix(length))
    }

    /// The tag of `bytes` under `key`.
    public static func tag(_ bytes: [UInt8], key: [UInt8]) throws(GeoError) -> [UInt8] {
        let mac = try HMACSM3(key: key)
        try mac.update(bytes)
        return try mac.finalize()
    }
}
