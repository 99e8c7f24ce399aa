internal import CZlib
import GeoCore

/// gzip (RFC 1952) streams through zlib, for vector tiles sent with `Content-Encoding: gzip` and stored in
/// MBTiles. Foundation on Linux offers no gzip, so zlib is called directly; each call owns its own
/// `z_stream`, so the functions are safe from any task.
public enum Gzip {
    /// `windowBits` 15 (32 KB window) plus 16 asks zlib for a gzip header and trailer instead of zlib's own.
    private static let gzipWindowBits: Int32 = 15 + 16
    /// For inflate, plus 32 accepts both gzip and zlib headers.
    private static let detectWindowBits: Int32 = 15 + 32

    /// The bytes as one gzip member. `level` is zlib's 0 (store) ... 9 (smallest); 6 is zlib's default.
    public static func compress(_ bytes: [UInt8], level: Int = 6) throws(GeoError) -> [UInt8] {
        var stream = z_stream()
        var status = deflateInit2_(
            &stream, Int32(max(0, min(9, level))), Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw error("deflateInit2", status, &stream) }
        defer { deflateEnd(&stream) }
        // deflateBound is an upper limit for a single deflate(Z_FINISH) call, so one pass always finishes.
        let capacity = Int(deflateBound(&stream, UInt(bytes.count)))
        var output = [UInt8](repeating: 0, count: capacity)
        var input = bytes
        status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw error("deflate", status, &stream) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// The content of a gzip (or zlib) stream; throws `invalid_gzip` for damaged input and for output beyond
    /// `maximumBytes` (a guard against decompression bombs).
    public static func decompress(_ bytes: [UInt8], maximumBytes: Int = 256 << 20) throws(GeoError) -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit2_(&stream, detectWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw error("inflateInit2", status, &stream) }
        defer { inflateEnd(&stream) }
        var input = bytes
        var chunk = [UInt8](repeating: 0, count: max(4096, bytes.count * 4))
        // The input pointer must stay valid for the whole inflate loop, so the loop runs inside one closure.
        let result: Result<[UInt8], GeoError> = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            var output: [UInt8] = []
            repeat {
                let produced: Int
                (status, produced) = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    return .failure(GeoError(code: .invalidGzip, message: "the gzip stream is damaged", underlying: message(&stream, status)))
                }
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= maximumBytes else {
                    return .failure(GeoError(code: .invalidGzip, message: "the gzip stream inflates beyond \(maximumBytes) bytes"))
                }
                if status == Z_OK && produced == 0 && stream.avail_in == 0 {
                    return .failure(GeoError(code: .invalidGzip, message: "the gzip stream is truncated"))
                }
            } while status != Z_STREAM_END
            return .success(output)
        }
        return try result.get()
    }

    private static func message(_ stream: inout z_stream, _ status: Int32) -> String {
        stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
    }

    private static func error(_ operation: String, _ status: Int32, _ stream: inout z_stream) -> GeoError {
        GeoError(code: .zlibError, message: "zlib \(operation) failed", underlying: message(&stream, status))
    }
}
