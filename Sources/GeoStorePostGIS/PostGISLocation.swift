import Foundation
import GeoCore

/// Where a PostGIS store lives: a PostgreSQL server, a database and how to log in, read from a URL of the form
/// `postgres://user[:password]@host[:port]/database[?password=…&sslmode=disable|prefer|require]` (`postgresql://`
/// too). The port defaults to 5432, the user to `postgres`, the database to the user's name, TLS to `prefer` (as
/// libpq does): `require` encrypts without checking the server's certificate, like libpq's `sslmode=require`.
@MemberwiseInit
public struct PostGISLocation: Hashable, Sendable, CustomStringConvertible {
    /// How the connection is encrypted.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int = 5432
    public var user: String = "postgres"
    public var password: String?
    public var database: String
    public var tls: TLSMode = .prefer

    /// Whether `text` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file.
    public static func isPostgresURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Reads a `postgres://` URL; `invalid_configuration` names what is wrong with it (never the password).
    public init(url text: String) throws(GeoError) {
        guard PostGISLocation.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw GeoError(
                code: .invalidConfiguration,
                message: "a PostgreSQL location is a URL postgres://user@host:port/database, got \(PostGISLocation.redacted(text))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw GeoError(code: .invalidConfiguration, message: "the PostgreSQL URL \(PostGISLocation.redacted(text)) names no host")
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        var password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "password":
                password = item.value
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw GeoError(
                        code: .invalidConfiguration,
                        message: "sslmode must be disable, prefer or require, got \(item.value ?? "nothing")")
                }
                tls = mode
            default:
                throw GeoError(
                    code: .invalidConfiguration,
                    message: "unknown parameter \(item.name) in the PostgreSQL URL: only password and sslmode are read")
            }
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.removingPercentEncoding ?? path
        self.init(
            host: host, port: components.port ?? 5432, user: user, password: password,
            database: database.isEmpty ? user : database, tls: tls)
    }

    /// `host:port/database`, without the user or password: what logs and `/health` show.
    public var description: String { "\(host):\(port)/\(database)" }

    /// The same server and login with another database.
    public func with(database: String) -> PostGISLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL with any password replaced by `***`, for error messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(unreadable URL)" }
        if components.password != nil { components.password = "***" }
        if let items = components.queryItems {
            components.queryItems = items.map { $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0 }
        }
        return components.string ?? "(unreadable URL)"
    }
}
