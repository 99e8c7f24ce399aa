import GeoCore

/// The OpenAPI 3.1 document rewritten as OpenAPI 3.0.3, for clients that read only 3.0 (GDAL's OGC API drivers,
/// the OGC API - Features `oas30` conformance class). One document is written by hand; this is derived from it at
/// start, so the two never disagree.
///
/// The rewrites, all inside JSON Schemas (3.0 uses its own dialect): `type: [T, "null"]` becomes `type: T` with
/// `nullable: true` (several types become `anyOf` of one each), `type: "null"` becomes `enum: [null]` with
/// `nullable`, `const: v` becomes `enum: [v]`, a schema's `examples` array its first member as `example`, a numeric
/// `exclusiveMinimum`/`exclusiveMaximum` the bound with the 3.0 flag, `prefixItems` an `items` of `anyOf` the
/// positions, and a `$ref` with siblings an `allOf` holding it. `info.summary` and `license.identifier`, which 3.0
/// lacks, are left out.
enum OpenAPIDowngrade {
    static func downgrade(_ document: JSONValue) -> JSONValue {
        guard case .object(var root) = document else { return document }
        root["openapi"] = "3.0.3"
        if case .object(var info)? = root["info"] {
            info["summary"] = nil
            if case .object(var license)? = info["license"] {
                license["identifier"] = nil
                info["license"] = .object(license)
            }
            root["info"] = .object(info)
        }
        for key in ["paths", "components"] {
            if let value = root[key] { root[key] = rewrite(value) }
        }
        return .object(root)
    }

    /// Walks the document, rewriting every object that is a schema by its keywords.
    private static func rewrite(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(rewrite))
        case .object(let members):
            var object = members.mapValues(rewrite)
            rewriteSchemaKeywords(&object)
            return .object(object)
        default: return value
        }
    }

    private static func rewriteSchemaKeywords(_ object: inout [String: JSONValue]) {
        if case .array(let types)? = object["type"] {
            let named = types.compactMap(\.stringValue).filter { $0 != "null" }
            if named.count < types.count { object["nullable"] = true }
            if named.count == 1 {
                object["type"] = .string(named[0])
            } else {
                object["type"] = nil
                object["anyOf"] = .array(named.map { .object(["type": .string($0)]) })
            }
        } else if object["type"] == "null" {
            object["type"] = nil
            object["nullable"] = true
            object["enum"] = .array([.null])
        }
        if let constant = object.removeValue(forKey: "const") { object["enum"] = .array([constant]) }
        if case .array(let examples)? = object["examples"], object["type"] != nil || object["enum"] != nil || object["properties"] != nil {
            object["examples"] = nil
            if let first = examples.first { object["example"] = first }
        }
        for (bound, plain) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let number = object[bound], number.doubleValue != nil {
                object[plain] = number
                object[bound] = true
            }
        }
        if case .array(let positions)? = object.removeValue(forKey: "prefixItems") {
            object["items"] = .object(["anyOf": .array(positions)])
        }
        if let reference = object["$ref"], object.count > 1 {
            object["$ref"] = nil
            let siblings = object.filter { ["description", "example", "nullable"].contains($0.key) == false }
            object = object.filter { ["description", "example", "nullable"].contains($0.key) }
            object["allOf"] = .array([.object(["$ref": reference])] + (siblings.isEmpty ? [] : [.object(siblings)]))
        }
    }
}
