import Foundation
import GeoCore
import Logging

/// A swift-log handler writing one line per event to standard error, as text or as JSON.
///
/// - `text`: time, level, label, message, then the metadata as `key=value`, keys sorted.
/// - `json`: one JSON object per line — time, level, label, message and every metadata field — for log collectors
///   (Loki, Elasticsearch) that index fields rather than text.
///
/// Metadata is formatted when a line is written, not whenever a field is set (swift-log's `StreamLogHandler` does
/// the latter): the server sets a request id on every request's logger, and most of those never write a line.
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable {
        case text, json
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public let format: Format
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error, or to `write` (tests).
    public init(label: String, format: Format, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.format = format
        self.write = write ?? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let time = TimeText.format(Date().timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
        let fields = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        switch format {
        case .text:
            var line = "\(time) \(event.level.rawValue) \(label): \(event.message)"
            for key in fields.keys.sorted() { line += " \(key)=\(fields[key]!)" }
            write(line)
        case .json:
            var object: [String: JSONValue] = [
                "time": .string(time), "level": .string(event.level.rawValue), "label": .string(label),
                "message": .string(event.message.description),
            ]
            for (key, value) in fields { object[key] = Self.json(value) }
            write((try? JSON.encode(.object(object))) ?? "{\"message\":\"unencodable log line\"}")
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let dictionary): .object(dictionary.mapValues(json))
        }
    }
}
