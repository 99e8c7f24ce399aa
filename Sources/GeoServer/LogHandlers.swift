import Foundation
import GeoCore
import Logging

/// A swift-log handler writing one JSON object per line to standard error — time, level, label, message and
/// every metadata field — for log collectors (Loki, Elasticsearch) that index fields rather than text.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error, or to `write` (tests).
    public init(label: String, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.write = write ?? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONValue] = [
            "time": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())),
            "level": .string(event.level.rawValue), "label": .string(label), "message": .string(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(value)
        }
        write((try? JSON.encode(.object(fields))) ?? "{\"message\":\"unencodable log line\"}")
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

/// A swift-log handler writing one text line per event to standard error: time, level, label, message, then the
/// metadata as `key=value`, keys sorted. Unlike swift-log's `StreamLogHandler`, it formats metadata when a line
/// is written, not whenever a field is set: the server sets a request id on every request's logger, and most of
/// those loggers never write a line.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error, or to `write` (tests).
    public init(label: String, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.write = write ?? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())) \(event.level.rawValue) \(label): \(event.message)"
        let fields = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for key in fields.keys.sorted() {
            line += " \(key)=\(fields[key]!)"
        }
        write(line)
    }
}
