internal import CCrypto
import GeoCore

/// SM4 (GB/T 32907-2016), the national 128-bit block cipher, in ECB (single blocks, for the standard's test
/// vectors) or CBC mode. Owns its OpenSSL context; use it from one task.
public final class SM4Cipher {
    /// Bytes in a block, in a key and in a CBC initialisation vector.
    public static let blockSize = 16

    public enum Mode: Sendable {
        /// Each block on its own: only for test vectors and single blocks, never for data.
        case ecb
        /// Cipher block chaining with a random 16-byte IV.
        case cbc
    }

    private let context: OpaquePointer

    /// A cipher that encrypts (`encrypt` true) or decrypts with `key`; `padding` adds (or strips and checks)
    /// PKCS #7 padding at ``finish()``.
    public init(mode: Mode, encrypt: Bool, key: [UInt8], iv: [UInt8] = [], padding: Bool) throws(GeoError) {
        guard key.count == Self.blockSize, mode == .ecb || iv.count == Self.blockSize else {
            throw GeoError(code: .cryptoError, message: "SM4 needs a 16-byte key and, in CBC mode, a 16-byte IV")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSLCall.failure("EVP_CIPHER_CTX_new") }
        self.context = context
        let cipher = mode == .ecb ? EVP_sm4_ecb() : EVP_sm4_cbc()
        let result = key.withUnsafeBufferPointer { keyBytes in
            iv.withUnsafeBufferPointer { ivBytes in
                EVP_CipherInit_ex(context, cipher, nil, keyBytes.baseAddress, mode == .ecb ? nil : ivBytes.baseAddress, encrypt ? 1 : 0)
            }
        }
        try OpenSSLCall.check(result, "EVP_CipherInit_ex(SM4)")
        try OpenSSLCall.check(EVP_CIPHER_CTX_set_padding(context, padding ? 1 : 0), "EVP_CIPHER_CTX_set_padding")
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Enciphers or deciphers the next bytes; output may lag the input by up to a block.
    public func update(_ input: [UInt8]) throws(GeoError) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        var output = [UInt8](repeating: 0, count: input.count + Self.blockSize)
        var written: Int32 = 0
        let result = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                EVP_CipherUpdate(context, target.baseAddress, &written, source.baseAddress, Int32(source.count))
            }
        }
        try OpenSSLCall.check(result, "EVP_CipherUpdate(SM4)")
        output.removeSubrange(Int(written)...)
        return output
    }

    /// The last bytes (with padding added, or checked and removed); fails on bad padding.
    public func finish() throws(GeoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Self.blockSize)
        var written: Int32 = 0
        let result = output.withUnsafeMutableBufferPointer { EVP_CipherFinal_ex(context, $0.baseAddress, &written) }
        try OpenSSLCall.check(result, "EVP_CipherFinal_ex(SM4)")
        return Array(output.prefix(Int(written)))
    }

    /// One 16-byte block enciphered (`encrypt`) or deciphered with `key`, as the standard's examples do.
    public static func block(_ block: [UInt8], key: [UInt8], encrypt: Bool = true) throws(GeoError) -> [UInt8] {
        guard block.count == blockSize else { throw GeoError(code: .cryptoError, message: "an SM4 block has 16 bytes") }
        let cipher = try SM4Cipher(mode: .ecb, encrypt: encrypt, key: key, padding: false)
        return try cipher.update(block) + cipher.finish()
    }
}
