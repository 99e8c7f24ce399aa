import ArgumentParser
import Foundation
import GeoCore
import GeoServer
import GeoStore

/// `citygeo keys create|list|revoke`: the API keys the server accepts, kept hashed in the database.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys (stored as SHA-256 only).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once.",
            discussion: "Scopes: \(AccessScope.allCases.map(\.rawValue).joined(separator: ", ")), or all. A running server sees the new key within a second.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Who holds the key, e.g. case-intake or vehicle-monitor-1.") var name: String
        @Option(help: "Comma-separated scopes, e.g. geocode,joins.") var scopes: String
        @Option(help: "Requests per second for this key (0 = unlimited); default: the server's access.default_rate.") var rate: Double?
        @Flag(help: "Print a configuration entry (access.keys) instead of storing the key in the database.") var configEntry = false

        func run() async throws {
            guard !name.isEmpty, !name.contains(":"), !name.contains(",") else {
                throw ValidationError("--name must be non-empty and contain neither ':' nor ','")
            }
            let parsed: Set<AccessScope>
            do { parsed = try AccessScope.parseList(scopes) } catch { throw ValidationError("--scopes: \(error.description)") }
            guard !parsed.isEmpty else { throw ValidationError("--scopes names no scope") }
            if let rate, !(rate >= 0 && rate.isFinite) { throw ValidationError("--rate must be a number ≥ 0") }
            let (id, text) = APIKeyText.generate()
            let hash = APIKeyText.sha256(text)
            let scopeNames = parsed.sorted().map(\.rawValue)
            if configEntry {
                print("key:          \(text)")
                print("access.keys:  \(name):\(hash):\(scopeNames.joined(separator: "+"))\(rate.map { ":\($0.formatted())" } ?? "")")
                print("The key is shown only now; the entry holds its hash.")
                return
            }
            let store = try await database.open()
            try await store.insertAPIKey(
                StoredAPIKey(
                    id: id, name: name, sha256: hash, scopes: scopeNames, ratePerSecond: rate,
                    createdAt: Date().timeIntervalSince1970))
            await recordCommandLineWrite(store, command: "citygeo keys create", detail: "key \(id) (\(name)) with \(scopeNames.joined(separator: ","))")
            print("id:     \(id)")
            print("key:    \(text)")
            print("scopes: \(scopeNames.joined(separator: ","))")
            print("The key is shown only now; the database keeps its SHA-256. Send it as 'Authorization: Bearer <key>'.")
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
            print("id         name                  scopes                                rate   created               revoked")
            for key in keys {
                let created = TimeText.format(key.createdAt)
                let revoked = key.revokedAt.map { TimeText.format($0) } ?? "-"
                let rate = key.ratePerSecond.map { $0 == 0 ? "none" : $0.formatted() } ?? "default"
                print(
                    [key.id.padding(10), key.name.padding(21), key.scopes.joined(separator: ",").padding(37), rate.padding(6), created.padding(21), revoked]
                        .joined(separator: " "))
            }
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
