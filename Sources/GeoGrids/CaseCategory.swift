import GeoCore

/// The category of a case as a path of up to three levels, 大类/小类/子类: the properties `major_category`
/// (大类) and `minor_category` (小类) when a layer has them, then `category`, which may itself be written as a path
/// (`市容环境/暴露垃圾/垃圾满溢`); and `category_code`, two digits per level (`010203`), when given.
public struct CategoryPath: Hashable, Sendable {
    public let components: [String]
    public let code: String?

    public init(components: [String], code: String? = nil) {
        self.components = components
        self.code = code
    }

    /// The properties a path is read from, as written (大类 and 小类 names, the path text, the category code): equal
    /// fields give equal paths, so a caller reading many cases reads each distinct text once.
    struct WrittenFields: Hashable {
        let major, minor, category, code: String?

        init(properties: [String: JSONValue]) {
            major = properties["major_category"]?.scalarText
            minor = properties["minor_category"]?.scalarText
            category = properties["category"]?.scalarText
            code = properties["category_code"]?.scalarText
        }
    }

    /// The path of a case's properties; empty when it has none of them.
    public init(properties: [String: JSONValue]) { self.init(written: WrittenFields(properties: properties)) }

    /// The path of fields as written: 大类, 小类, then each level of the `/`-separated path not already named.
    init(written: WrittenFields) {
        var components: [String] = []
        for value in [written.major, written.minor] {
            if let value, !value.isEmpty { components.append(value) }
        }
        for part in (written.category ?? "").split(separator: "/") {
            let name = part.trimmingCharacters(in: .whitespaces)
            // A layer may repeat its 小类 in `category`; the path names each level once.
            if !name.isEmpty, components.last != name { components.append(name) }
        }
        self.init(components: components, code: written.code.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The path written with `/`.
    public var text: String { components.joined(separator: "/") }
}

/// A filter on category paths at any depth: alternatives separated by `|`, each a name (`垃圾满溢`: that category
/// at whatever level) or a path of consecutive levels (`市容环境/暴露垃圾`: everything under that 小类), and
/// category-code prefixes (`01`: 大类 01, `0102`: its 小类 02).
public struct CategoryFilter: Hashable, Sendable {
    public let paths: [[String]]
    public let codePrefixes: [String]

    /// Reads `category` (names and paths) and `codes` (code prefixes); `invalid_argument` naming the parameter when
    /// one is empty or a code is not digits.
    public init(category: String?, codes: String?) throws(GeoError) {
        var paths: [[String]] = []
        if let category {
            for alternative in category.split(separator: "|", omittingEmptySubsequences: false) {
                let path = alternative.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !path.isEmpty else {
                    throw GeoError(code: .invalidArgument, message: "category \"\(category)\" has an empty alternative", location: "category")
                }
                paths.append(path)
            }
        }
        var prefixes: [String] = []
        if let codes {
            for alternative in codes.split(separator: "|", omittingEmptySubsequences: false) {
                let prefix = alternative.trimmingCharacters(in: .whitespaces)
                guard !prefix.isEmpty, prefix.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw GeoError(
                        code: .invalidArgument, message: "category_code \"\(codes)\" must be digits (2 per level), alternatives separated by |",
                        location: "category_code")
                }
                prefixes.append(prefix)
            }
        }
        self.paths = paths
        self.codePrefixes = prefixes
    }

    /// Whether the filter asks for anything.
    public var isEmpty: Bool { paths.isEmpty && codePrefixes.isEmpty }

    /// Whether a case of `path` passes: one of the names or paths appears among its levels in order (when names
    /// are given) and its code begins with one of the prefixes (when codes are given).
    public func matches(_ path: CategoryPath) -> Bool {
        let byName =
            paths.isEmpty
            || paths.contains { wanted in
                guard wanted.count <= path.components.count else { return false }
                return (0...(path.components.count - wanted.count)).contains { start in
                    Array(path.components[start..<(start + wanted.count)]) == wanted
                }
            }
        let byCode = codePrefixes.isEmpty || path.code.map { code in codePrefixes.contains { code.hasPrefix($0) } } ?? false
        return byName && byCode
    }
}
