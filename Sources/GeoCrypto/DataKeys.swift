import Foundation
import GeoCore

/// A 256-bit data key: the secret behind encryption at rest (sensitive columns, backups). SM4 and HMAC-SM3 keys
/// are derived from it with HMAC-SM3 under fixed labels, so one secret never serves two algorithms.
public struct DataKey: Sendable, Hashable {
    /// 8 hex digits of the key's SM3, written into every sealed value so that the right key is found after a
    /// rotation; it tells nothing about the key.
    public let id: String
    let encryptionKey: [UInt8]
    let macKey: [UInt8]

    /// The key of 32 secret bytes.
    public init(material: [UInt8]) throws(GeoError) {
        guard material.count == 32 else {
            throw GeoError(code: .invalidConfiguration, message: "a data key has 32 bytes (64 hex digits), got \(material.count) bytes")
        }
        id = HexText.encode(Array(try SM3.hash(material).prefix(4)))
        encryptionKey = Array(try HMACSM3.tag(Array("CityGeo SM4-CBC".utf8), key: material).prefix(SM4Cipher.blockSize))
        macKey = try HMACSM3.tag(Array("CityGeo HMAC-SM3".utf8), key: material)
    }

    /// A new random key as the line a key file holds (64 hex digits).
    public static func generateLine() throws(GeoError) -> String { HexText.encode(try SecureRandom.bytes(32)) }
}

/// The data keys a process may use: the newest seals, every one opens. Read from a key file (one key of 64 hex
/// digits a line, `#` comments, the last line is the current key: rotation appends a line, re-encrypts, then the
/// old line may go) or from one key in an environment variable.
public struct DataKeyRing: Sendable, Hashable {
    /// Every key, oldest first; the last is ``current``.
    public let keys: [DataKey]

    /// The key new data is sealed with.
    public var current: DataKey { keys[keys.count - 1] }

    /// A ring of `keys` (at least one), the last current.
    public init(keys: [DataKey]) throws(GeoError) {
        guard !keys.isEmpty else { throw GeoError(code: .encryptionKeyMissing, message: "the key ring holds no data key") }
        self.keys = keys
    }

    /// The key with `id`, if the ring holds it.
    public func key(id: String) -> DataKey? { keys.first { $0.id == id } }

    /// The keys written in `text` (a key file's content); `source` names it in errors.
    public static func parse(_ text: String, source: String) throws(GeoError) -> DataKeyRing {
        var keys: [DataKey] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.utf8.count == 64, let material = HexText.decode(line) else {
                throw GeoError(
                    code: .invalidConfiguration, message: "\(source) line \(index + 1): a data key is 64 hex digits",
                    location: "line \(index + 1)")
            }
            keys.append(try DataKey(material: material))
        }
        guard !keys.isEmpty else { throw GeoError(code: .encryptionKeyMissing, message: "\(source) holds no data key") }
        return try DataKeyRing(keys: keys)
    }

    /// The ring of a key file, refused when others than its owner may read it (as ssh does with private keys).
    public static func load(file path: String) throws(GeoError) -> DataKeyRing {
        let attributes: [FileAttributeKey: Any]
        let text: String
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GeoError(code: .encryptionKeyMissing, message: "cannot read the data key file \(path)", underlying: "\(error)")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw GeoError(
                code: .invalidConfiguration,
                message: "the data key file \(path) may be read by others (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        return try parse(text, source: path)
    }

    /// The ring configured for this process: the key file if given, else the key in `environmentKey` (the value
    /// of `CITYGEO_CRYPTO_KEY`), else nil.
    public static func configured(file: String?, environmentKey: String?) throws(GeoError) -> DataKeyRing? {
        if let file { return try load(file: file) }
        if let environmentKey, !environmentKey.isEmpty { return try parse(environmentKey, source: "CITYGEO_CRYPTO_KEY") }
        return nil
    }
}

extension DataKey {
    /// The HMAC-SM3 tag of `bytes` under this key's MAC key: authenticates files kept beside sealed data (a backup's
    /// manifest) without encrypting them.
    public func authenticate(_ bytes: [UInt8]) throws(GeoError) -> [UInt8] { try HMACSM3.tag(bytes, key: macKey) }
}
