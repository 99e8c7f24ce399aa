internal import CCrypto
import GeoCore

/// Return-code checks of libcrypto calls: each failure becomes a `crypto_error` naming the call, with the reasons
/// OpenSSL queued for this thread as the underlying cause (the queue is drained so that they do not leak into the
/// next failure's report).
enum OpenSSLCall {
    /// Throws unless `result` is 1, OpenSSL's success value for the EVP functions used here.
    static func check(_ result: Int32, _ call: String) throws(GeoError) {
        guard result == 1 else { throw failure(call) }
    }

    /// The error of a failed `call`, with the queued reasons.
    static func failure(_ call: String) -> GeoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return GeoError(
            code: .cryptoError, message: "OpenSSL \(call) failed",
            underlying: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }
}

/// Cryptographically secure random bytes from OpenSSL's DRBG (seeded from getrandom(2)).
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(GeoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try OpenSSLCall.check(bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }, "RAND_bytes")
        return bytes
    }
}

/// Comparison whose time depends only on the lengths, not on where the bytes first differ: digests and
/// authentication tags must not leak how much of a forgery was right.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
