/// The error every CityGeo module throws: a stable machine-readable code, a message for people that names
/// the offending input, an optional location in that input, and the underlying cause if any.
public struct GeoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier of the kind of failure, e.g. `invalid_geojson`, `out_of_range`, `geos_error`.
    public var code: String
    /// A sentence for people, naming the bad input.
    public var message: String
    /// Where in the input the problem is: a JSON path such as `features[3].geometry.coordinates[0][2]`,
    /// a CSV row and column, a WKT character offset.
    public var location: String?
    /// The message of the underlying library error (GEOS, PROJ, SQLite), when there is one.
    public var underlying: String?

    public init(code: String, message: String, location: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let location { text += " (at \(location))" }
        if let underlying { text += " [\(underlying)]" }
        return text
    }
}
