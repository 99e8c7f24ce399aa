import GeoCore
import Hummingbird

/// The one error body every endpoint answers with: `{"code", "message", "details"}`, where `details` names the
/// offending field or location.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let details: [String: JSONValue]

    public init(status: HTTPResponse.Status, code: String, message: String, details: [String: JSONValue] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// Maps a library error to an HTTP answer: input problems are 4xx, everything else 500. `field`, when given,
    /// names the part of the request at fault (a parameter, a JSON member path, or `body` for the body as a whole).
    public init(_ error: GeoError, field: String? = nil) {
        var details: [String: JSONValue] = [:]
        if let field { details["field"] = .string(field) }
        if let location = error.location { details["location"] = .string(location) }
        if let underlying = error.underlying { details["cause"] = .string(underlying) }
        self.init(status: Self.status(for: error.code), code: error.code, message: error.message, details: details)
    }

    /// Codes of problems with what the client sent; anything else is the server's fault.
    static func status(for code: String) -> HTTPResponse.Status {
        switch code {
        case "layer_not_found", "not_found": .notFound
        case "layer_exists", "fence_exists": .conflict
        case "payload_too_large": .contentTooLarge
        case "invalid_json", "invalid_geojson", "invalid_wkt", "invalid_wkb", "invalid_csv", "invalid_geometry",
            "out_of_range", "invalid_layer_name", "invalid_argument", "invalid_encoding", "geometry_type_mismatch":
            .unprocessableContent
        default:
            code.hasPrefix("invalid_") ? .badRequest : .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = .object([
            "code": .string(code), "message": .string(message), "details": .object(details),
        ])
        return try JSONResponse.make(body, status: status)
    }
}

/// Turns every error thrown below it into the API's error body, so no endpoint answers with an empty 500.
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GeoError {
            throw APIError(error)
        } catch let error as APIError {
            throw error
        } catch let error as RateLimited {
            throw error
        } catch let error as MethodNotAllowed {
            throw error
        } catch let error as HTTPError {
            // No route for this method: 405 naming the ones there are, when the path has any.
            // (The router's not-found responder labels the request "NotFound" for metrics.)
            if error.status == .notFound, (context.endpointPath ?? "NotFound") == "NotFound" {
                let allowed = RouteScopes.allowedMethods(at: request.uri.path)
                if !allowed.isEmpty { throw MethodNotAllowed(method: request.method.rawValue, path: request.uri.path, allowed: allowed) }
            }
            throw APIError(
                status: error.status, code: error.status == .notFound ? "not_found" : "http_error",
                message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unhandled error: \(error)")
            throw APIError(status: .internalServerError, code: "internal_error", message: "internal error")
        }
    }
}

/// 405 `method_not_allowed` with the `Allow` header RFC 9110 asks for.
struct MethodNotAllowed: HTTPResponseError {
    let method: String
    let path: String
    let allowed: [String]
    var status: HTTPResponse.Status { .methodNotAllowed }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "\(path) does not answer \(method); it answers \(allowed.joined(separator: ", "))",
            details: ["field": "method", "allowed": .array(allowed.map { .string($0) })]
        ).response(from: request, context: context)
        response.headers[.allow] = allowed.joined(separator: ", ")
        return response
    }
}

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
