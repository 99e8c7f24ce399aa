import ArgumentParser
import Foundation
import GeoCore
import GeoServer
import GeoStore

/// `citygeo keys create|list|rotate|revoke`: the API keys the server accepts, kept as SM3 digests in the database.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list, rotate and revoke API keys (stored as SM3 digests only).",
        subcommands: [Create.self, List.self, Rotate.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once.",
            discussion: "Scopes: \(AccessScope.allCases.map(\.rawValue).joined(separator: ", ")), or all. A running server sees the new key within a second.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Who holds the key, e.g. case-intake or vehicle-monitor-1.") var name: String
        @Option(help: "Comma-separated scopes, e.g. geocode,joins.") var scopes: String
        @Option(help: "Requests per second for this key (0 = unlimited); default: the server's access.default_rate.") var rate: Double?
        @Option(help: "When the key stops working (a date or time, e.g. 2027-06-30); default: never.") var expires: String?
        @Option(help: "Region codes (6, 9, 12 or 15 digits, comma-separated) whose subtrees alone the key may see.") var regions: String?
        @Option(help: "A rate on one route, 'METHOD /path=requests-per-second' (repeat for several).") var routeRate: [String] = []
        @Flag(help: "Print a configuration entry (access.keys) instead of storing the key in the database.") var configEntry = false

        func run() async throws {
            guard !name.isEmpty, !name.contains(":"), !name.contains(",") else {
                throw ValidationError("--name must be non-empty and contain neither ':' nor ','")
            }
            let parsed: Set<AccessScope>
            do { parsed = try AccessScope.parseList(scopes) } catch { throw ValidationError("--scopes: \(error.description)") }
            guard !parsed.isEmpty else { throw ValidationError("--scopes names no scope") }
            if let rate, !(rate >= 0 && rate.isFinite) { throw ValidationError("--rate must be a number ≥ 0") }
            let expiry = try expires.map { try KeyOptions.time($0, option: "--expires") }
            let regionCodes = try KeyOptions.regions(regions)
            let routeRates: [String: Double]
            do { routeRates = try ServerSettings.routeRates(routeRate, key: "--route-rate") } catch { throw ValidationError(error.message) }
            let (id, text) = APIKeyText.generate()
            let digest = try APIKeyDigest.sm3(text)
            let scopeNames = parsed.sorted().map(\.rawValue)
            if configEntry {
                guard expiry == nil, regionCodes.isEmpty, routeRates.isEmpty else {
                    throw ValidationError("--expires, --regions and --route-rate need a stored key (drop --config-entry)")
                }
                print("key:          \(text)")
                print("access.keys:  \(name):sm3-\(digest.dropFirst(4)):\(scopeNames.joined(separator: "+"))\(rate.map { ":\($0.formatted())" } ?? "")")
                print("The key is shown only now; the entry holds its SM3 digest.")
                return
            }
            let store = try await database.open()
            try await store.insertAPIKey(
                StoredAPIKey(
                    id: id, name: name, digest: digest, scopes: scopeNames, ratePerSecond: rate,
                    createdAt: Date().timeIntervalSince1970, expiresAt: expiry, regions: regionCodes, routeRates: routeRates))
            await recordCommandLineWrite(store, command: "citygeo keys create", detail: "key \(id) (\(name)) with \(scopeNames.joined(separator: ","))")
            print("id:      \(id)")
            print("key:     \(text)")
            print("scopes:  \(scopeNames.joined(separator: ","))")
            if let expiry { print("expires: \(TimeText.format(expiry))") }
            if !regionCodes.isEmpty { print("regions: \(regionCodes.joined(separator: ","))") }
            print("The key is shown only now; the database keeps its SM3 digest. Send it as 'Authorization: Bearer <key>'.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (ids, names, scopes; never the secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = try await database.open()
            let keys = try await store.apiKeys()
            if keys.isEmpty {
                print("no API keys; create one with: citygeo keys create --name NAME --scopes SCOPES")
                return
            }
            print("id         name                  scopes                                rate   created                    expires                    revoked   regions")
            for key in keys {
                let created = TimeText.format(key.createdAt)
                let expires = key.expiresAt.map { TimeText.format($0) } ?? "never"
                let revoked = key.revokedAt.map { TimeText.format($0) } ?? "-"
                let rate = key.ratePerSecond.map { $0 == 0 ? "none" : $0.formatted() } ?? "default"
                print(
                    [key.id.padding(10), key.name.padding(21), key.scopes.joined(separator: ",").padding(37), rate.padding(6), created.padding(26),
                        expires.padding(26), revoked.padding(9), key.regions.isEmpty ? "all" : key.regions.joined(separator: ",")]
                        .joined(separator: " "))
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a key a new secret; the old one keeps working for the overlap, so clients can switch without a gap.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key's id (from `citygeo keys list`).") var id: String
        @Option(help: "Hours the old secret keeps working.") var overlapHours: Double = 24
        @Option(help: "A new expiry for the key (a date or time); default: unchanged.") var expires: String?

        func run() async throws {
            guard overlapHours >= 0, overlapHours.isFinite else { throw ValidationError("--overlap-hours must be a number ≥ 0") }
            let expiry = try expires.map { try KeyOptions.time($0, option: "--expires") }
            let text = APIKeyText.text(id: id, secret: APIKeyText.generate().text)
            guard let text else { throw ValidationError("\(id) is not a key id (k and 8 hex digits)") }
            let store = try await database.open()
            let overlapEnd = Date().timeIntervalSince1970 + overlapHours * 3_600
            guard try await store.rotateAPIKey(id: id, digest: try APIKeyDigest.sm3(text), overlapUntil: overlapEnd, expiresAt: expiry) else {
                throw ValidationError("no active key with id \(id)")
            }
            await recordCommandLineWrite(store, command: "citygeo keys rotate", detail: "key \(id), old secret until \(TimeText.format(overlapEnd))")
            print("id:      \(id)")
            print("key:     \(text)")
            print("The old secret works until \(TimeText.format(overlapEnd)); the new one is shown only now.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; a running server refuses it within a second.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key's id (from `citygeo keys list`).") var id: String

        func run() async throws {
            let store = try await database.open()
            guard try await store.revokeAPIKey(id: id, at: Date().timeIntervalSince1970) else {
                throw ValidationError("no active key with id \(id)")
            }
            await recordCommandLineWrite(store, command: "citygeo keys revoke", detail: "key \(id)")
            print("revoked \(id)")
        }
    }
}

extension String {
    /// The text padded with spaces to `width` characters (never cut).
    fileprivate func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// Parsing of the key options shared by `create` and `rotate`.
enum KeyOptions {
    /// A time in any of TimeText's forms.
    static func time(_ text: String, option: String) throws -> Double {
        do { return try TimeText.seconds(text, field: option) } catch { throw ValidationError("\(option): \(error.message)") }
    }

    /// Comma-separated region codes of 6, 9, 12 or 15 digits.
    static func regions(_ text: String?) throws -> [String] {
        let codes = (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for code in codes where !([6, 9, 12, 15].contains(code.count) && code.allSatisfy(\.isASCII) && code.allSatisfy(\.isNumber)) {
            throw ValidationError("--regions: \(code) is not a region code of 6, 9, 12 or 15 digits")
        }
        return codes
    }
}
