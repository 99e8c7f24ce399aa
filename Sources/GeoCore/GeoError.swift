/// The error every CityGeo module throws: a stable machine-readable code, a message for people that names
/// the offending input, an optional location in that input, and the underlying cause if any.
@MemberwiseInit
public struct GeoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; its `rawValue` (`invalid_geojson`, `out_of_range`, `geos_error`) is stable for programs.
    public var code: Code
    /// A sentence for people, naming the bad input.
    public var message: String
    /// Where in the input the problem is: a JSON path such as `features[3].geometry.coordinates[0][2]`,
    /// a CSV row and column, a WKT character offset.
    public var location: String?
    /// The message of the underlying library error (GEOS, PROJ, SQLite), when there is one.
    public var underlying: String?

    public var description: String {
        var text = "\(code): \(message)"
        if let location { text += " (at \(location))" }
        if let underlying { text += " [\(underlying)]" }
        return text
    }
}

extension GeoError {
    /// Every kind of failure CityGeo reports, in one place. The raw value is the stable text programs read (the
    /// `code` of the HTTP error body); the server maps each case to exactly one HTTP status (`APIError.status(for:)`,
    /// an exhaustive switch), and the OpenAPI document lists them all. Callers branch on these cases, never on
    /// message text.
    public enum Code: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        // Input that cannot be read (422 over HTTP).
        case invalidJSON = "invalid_json"
        case invalidGeoJSON = "invalid_geojson"
        case invalidWKT = "invalid_wkt"
        case invalidWKB = "invalid_wkb"
        case invalidCSV = "invalid_csv"
        case invalidEncoding = "invalid_encoding"
        case invalidGzip = "invalid_gzip"
        case invalidGeometry = "invalid_geometry"
        case invalidLayerName = "invalid_layer_name"
        case invalidTrackPoint = "invalid_track_point"
        case invalidFence = "invalid_fence"
        case missingField = "missing_field"
        case missingColumn = "missing_column"
        case outOfRange = "out_of_range"
        case sridMismatch = "srid_mismatch"
        case quotaNotMet = "quota_not_met"

        // Parameters out of their domain (400 over HTTP).
        case invalidArgument = "invalid_argument"
        case invalidBBox = "invalid_bbox"
        case invalidCoordinate = "invalid_coordinate"
        case invalidCRS = "invalid_crs"
        case unknownCRS = "unknown_crs"
        case invalidSRID = "invalid_srid"
        case invalidTime = "invalid_time"
        case invalidTile = "invalid_tile"
        case invalidSince = "invalid_since"
        case invalidFilter = "invalid_filter"
        case invalidCode = "invalid_code"
        case inconsistentCode = "inconsistent_code"
        case invalidSource = "invalid_source"
        case invalidArea = "invalid_area"

        // Sizes (413 over HTTP).
        case payloadTooLarge = "payload_too_large"
        case batchTooLarge = "batch_too_large"
        case geometryTooLarge = "geometry_too_large"
        case tooManyTiles = "too_many_tiles"

        // What is or is not there (404 / 409).
        case notFound = "not_found"
        case layerNotFound = "layer_not_found"
        /// A layer holds no feature with the asked `fid`.
        case featureNotFound = "feature_not_found"
        case tileSourceNotFound = "tile_source_not_found"
        case layerExists = "layer_exists"
        case fenceExists = "fence_exists"
        case keyExists = "key_exists"

        // Access and flow control (401, 403, 405, 429, 503).
        case missingAPIKey = "missing_api_key"
        case invalidAPIKey = "invalid_api_key"
        /// A known key used after its expiry date (or an old secret after its rotation overlap ended).
        case expiredAPIKey = "expired_api_key"
        case insufficientScope = "insufficient_scope"
        /// A key limited to regions asked about a place, or used a route, outside them.
        case outOfRegion = "out_of_region"
        case methodNotAllowed = "method_not_allowed"
        case rateLimited = "rate_limited"
        case timeout
        case cancelled

        // The server's or its environment's fault (500).
        case databaseError = "database_error"
        case spatialiteMissing = "spatialite_missing"
        case geosError = "geos_error"
        case projError = "proj_error"
        case zlibError = "zlib_error"
        case ioError = "io_error"
        case tileError = "tile_error"
        case invalidConfiguration = "invalid_configuration"
        case invalidAddressBook = "invalid_address_book"
        case invalidPinyin = "invalid_pinyin"
        case invalidBoundaries = "invalid_boundaries"
        case invalidStoredFence = "invalid_stored_fence"
        case missingResource = "missing_resource"
        /// An OpenSSL call failed (SM3, SM4, HMAC-SM3, random bytes).
        case cryptoError = "crypto_error"
        /// Sensitive data must be encrypted or decrypted and no data key is configured (or not the one it needs).
        case encryptionKeyMissing = "encryption_key_missing"
        /// Stored or backed-up data does not match its digest or authentication tag: changed, damaged or truncated.
        case integrityError = "integrity_error"
        case internalError = "internal_error"

        public var description: String { rawValue }
    }
}

extension GeoError {
    /// Throws `cancelled` when the calling task was cancelled (a request's timeout, a client gone): long synchronous
    /// loops call it between units of work, so that cancellation stops them instead of letting them run on unseen.
    public static func throwIfCancelled() throws(GeoError) {
        if Task.isCancelled { throw GeoError(code: .cancelled, message: "the computation was stopped before it finished") }
    }
}
