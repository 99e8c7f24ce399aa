import GeoCore

/// The levels of GB/T 30428.3 region codes, by their number of digits.
public enum RegionLevel: Int, Sendable, CaseIterable, Comparable {
    /// County/district (GB/T 2260 adcode), 6 digits.
    case district = 6
    /// Street office or town (街道/镇/乡), 9 digits.
    case street = 9
    /// Community or village (社区/村), 12 digits.
    case community = 12
    /// Unit grid (单元网格), 15 digits.
    case unitGrid = 15

    public static func < (a: RegionLevel, b: RegionLevel) -> Bool { a.rawValue < b.rawValue }

    /// The name used in messages and API answers.
    public var name: String {
        switch self {
        case .district: "district"
        case .street: "street"
        case .community: "community"
        case .unitGrid: "unit grid"
        }
    }
}

/// A validated region code: digits only, 6, 9, 12 or 15 of them, every 3-digit sequence part from 001.
///
/// Codes nest by prefix: unit grid 320904001002003 lies in community 320904001002, street 320904001 and
/// district 320904.
public struct RegionCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public let level: RegionLevel

    /// Validates `text` as a code of any level.
    public init(_ text: String) throws(GeoError) {
        try self.init(text, expecting: nil)
    }

    /// Validates `text` as a code of `level` (or of any level when nil), with a message naming what is wrong.
    public init(_ text: String, expecting expected: RegionLevel?) throws(GeoError) {
        if let index = text.firstIndex(where: { !("0"..."9").contains($0) }) {
            let position = text.distance(from: text.startIndex, to: index) + 1
            throw GeoError(
                code: .invalidCode, message: "code \"\(text)\" has a non-digit \"\(text[index])\" at position \(position)")
        }
        guard let level = RegionLevel(rawValue: text.count) else {
            throw GeoError(
                code: .invalidCode,
                message: "code \"\(text)\" has \(text.count) digits; region codes have 6 (district), 9 (street), 12 (community) or 15 (unit grid)")
        }
        if let expected, expected != level {
            throw GeoError(
                code: .invalidCode,
                message: "\(expected.name) code must have \(expected.rawValue) digits, \"\(text)\" has \(text.count) (a \(level.name) code)")
        }
        guard !text.hasPrefix("00") else {
            throw GeoError(code: .invalidCode, message: "code \"\(text)\" starts with a province part of 00")
        }
        // Each 3-digit part after the county counts from 001.
        var offset = 6
        while offset < text.count {
            let start = text.index(text.startIndex, offsetBy: offset)
            let part = text[start..<text.index(start, offsetBy: 3)]
            if part == "000" {
                let partLevel = RegionLevel(rawValue: offset + 3)!
                throw GeoError(
                    code: .invalidCode,
                    message: "code \"\(text)\" has \(partLevel.name) sequence 000 at digits \(offset + 1)-\(offset + 3); sequences start at 001")
            }
            offset += 3
        }
        self.rawValue = text
        self.level = level
    }

    public var description: String { rawValue }

    /// The code of the enclosing region, nil for a district.
    public var parent: RegionCode? {
        guard level != .district else { return nil }
        return RegionCode(unchecked: String(rawValue.prefix(level.rawValue - 3)))
    }

    /// The enclosing code at `level`, or self when `level` is this code's level; nil for a finer level.
    public func ancestor(at level: RegionLevel) -> RegionCode? {
        guard level <= self.level else { return nil }
        return RegionCode(unchecked: String(rawValue.prefix(level.rawValue)))
    }

    /// Whether this region lies in `other` (a region lies in itself).
    public func isWithin(_ other: RegionCode) -> Bool { rawValue.hasPrefix(other.rawValue) }

    /// Checks that a record's declared parent agrees with its code, e.g. a unit grid's `community_code`.
    public func checkParent(_ declared: String, field: String) throws(GeoError) {
        guard let parent, declared != parent.rawValue else { return }
        throw GeoError(
            code: .inconsistentCode,
            message: "\(level.name) \(rawValue) has \(field) \(declared), but its code says \(parent.rawValue)", location: field)
    }

    public static func < (a: RegionCode, b: RegionCode) -> Bool { a.rawValue < b.rawValue }

    private init(unchecked: String) {
        rawValue = unchecked
        level = RegionLevel(rawValue: unchecked.count)!
    }
}

/// A responsibility grid (责任网格) or work grid (工作网格): a named union of unit grids.
@MemberwiseInit
public struct ResponsibilityGrid: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case responsibility
        case work
    }

    public let code: String
    public let name: String
    public let kind: Kind
    /// The unit grids it binds.
    public let members: [RegionCode]

    /// Reads a feature of a `responsibility_grids` layer: properties `code`, `name`, optional `kind`
    /// (responsibility or work, default responsibility) and `members`, unit grid codes separated by `/`.
    public init(feature: Feature, index: Int) throws(GeoError) {
        func text(_ key: String) throws(GeoError) -> String {
            guard let value = feature.properties[key]?.stringValue, !value.isEmpty else {
                throw GeoError(code: .invalidArgument, message: "responsibility grid \(index) has no \"\(key)\"", location: "features[\(index)].properties.\(key)")
            }
            return value
        }
        let kindText = feature.properties["kind"]?.stringValue ?? Kind.responsibility.rawValue
        guard let kind = Kind(rawValue: kindText) else {
            throw GeoError(
                code: .invalidArgument, message: "responsibility grid \(index) has kind \"\(kindText)\"; expected responsibility or work",
                location: "features[\(index)].properties.kind")
        }
        var members: [RegionCode] = []
        for part in try text("members").split(separator: "/") {
            do {
                members.append(try RegionCode(String(part), expecting: .unitGrid))
            } catch {
                throw GeoError(code: error.code, message: error.message, location: "features[\(index)].properties.members")
            }
        }
        self.init(code: try text("code"), name: try text("name"), kind: kind, members: members)
    }
}
