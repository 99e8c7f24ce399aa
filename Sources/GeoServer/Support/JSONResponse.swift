import GeoCore
import Hummingbird

/// Builds JSON and GeoJSON responses from our own encoder (no Codable round trip for geometry).
enum JSONResponse {
    static let jsonType = "application/json; charset=utf-8"

    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        bytes(try JSON.encodeBytes(value), contentType: jsonType, status: status)
    }

    static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
