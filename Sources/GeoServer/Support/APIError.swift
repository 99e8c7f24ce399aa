import GeoCore
import Hummingbird

/// The one error body every endpoint answers with: `{"code", "message", "details"}`, where `details` names the
/// offending field or location.
public struct APIError: HTTPResponseError, Sendable {
    public let code: GeoError.Code
    public let message: String
    public let details: [String: JSONValue]

    /// The one status of `code` (``status(for:)``).
    public var status: HTTPResponse.Status { Self.status(for: code) }

    public init(code: GeoError.Code, message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// Maps a library error to an HTTP answer. `field`, when given, names the part of the request at fault (a
    /// parameter, a JSON member path, or `body` for the body as a whole).
    public init(_ error: GeoError, field: String? = nil) {
        var details: [String: JSONValue] = [:]
        if let field { details["field"] = .string(field) }
        if let location = error.location { details["location"] = .string(location) }
        if let underlying = error.underlying { details["cause"] = .string(underlying) }
        self.init(code: error.code, message: error.message, details: details)
    }

    /// The one HTTP status of each error code: unreadable input 422, parameters out of their domain 400, sizes
    /// 413, and everything that is not the client's fault 500. Exhaustive, so a new code cannot ship without one;
    /// the OpenAPI document lists the same table (a test holds them equal).
    public static func status(for code: GeoError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidJSON, .invalidGeoJSON, .invalidWKT, .invalidWKB, .invalidCSV, .invalidEncoding, .invalidGzip,
            .invalidGeometry, .invalidLayerName, .invalidTrackPoint, .invalidFence, .missingField, .missingColumn,
            .outOfRange, .sridMismatch, .quotaNotMet:
            .unprocessableContent
        case .invalidArgument, .invalidBBox, .invalidCoordinate, .invalidCRS, .unknownCRS, .invalidSRID, .invalidTime,
            .invalidTile, .invalidSince, .invalidFilter, .invalidCode, .inconsistentCode, .invalidSource,
            .invalidArea:
            .badRequest
        case .payloadTooLarge, .batchTooLarge, .geometryTooLarge, .tooManyTiles: .contentTooLarge
        case .notFound, .layerNotFound, .featureNotFound, .tileSourceNotFound: .notFound
        case .layerExists, .fenceExists, .keyExists: .conflict
        case .missingAPIKey, .invalidAPIKey, .expiredAPIKey: .unauthorized
        case .insufficientScope, .outOfRegion: .forbidden
        case .methodNotAllowed: .methodNotAllowed
        case .rateLimited: .tooManyRequests
        case .timeout, .cancelled: .serviceUnavailable
        case .databaseError, .spatialiteMissing, .geosError, .projError, .zlibError, .ioError, .tileError,
            .invalidConfiguration, .invalidAddressBook, .invalidPinyin, .invalidBoundaries, .invalidStoredFence, .missingResource, .internalError,
            .cryptoError, .encryptionKeyMissing, .integrityError:
            .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = .object([
            "code": .string(code.rawValue), "message": .string(message), "details": .object(details),
        ])
        return try JSONResponse.make(body, status: status)
    }
}

/// 405 `method_not_allowed` with the `Allow` header RFC 9110 asks for.
struct MethodNotAllowed: HTTPResponseError {
    let method: String
    let path: String
    let allowed: [String]
    var status: HTTPResponse.Status { .methodNotAllowed }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIError(code: .methodNotAllowed,
            message: "\(path) does not answer \(method); it answers \(allowed.joined(separator: ", "))",
            details: ["field": "method", "allowed": .array(allowed.map { .string($0) })]
        ).response(from: request, context: context)
        response.headers[.allow] = allowed.joined(separator: ", ")
        return response
    }
}
