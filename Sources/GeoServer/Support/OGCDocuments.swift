import Foundation
import GeoCore
import GeoStore
import Hummingbird

/// What OGC API documents share: links, the choice between JSON and HTML, and the HTML page every document
/// has for people who open the API in a browser.
enum OGCDocuments {
    /// The root of the OGC API routes.
    static let root = "/ogc"
    /// The conformance classes `/ogc/conformance` declares: Features Part 1 (core, GeoJSON, HTML, OpenAPI 3.0), Part 2
    /// (CRS by reference) and Part 4 (create, replace, delete), Tiles (core, tileset, tilesets list, geodata
    /// tilesets, MVT) and the JSON encoding of tile matrix sets.
    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
        "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
    ]

    /// The media type of the OpenAPI 3.0 definition at `/ogc/api`.
    static let openAPI30Type = "application/vnd.oai.openapi+json;version=3.0"

    /// How an answer is written.
    enum Format: Equatable {
        case json
        case html
    }

    /// `f=json|html` when given (`geojson` counts as JSON), else HTML when the Accept header ranks `text/html`
    /// above every JSON type (as browsers send it), else JSON.
    static func format(of request: Request) throws -> Format {
        if let f = request.uri.queryParameters["f"] {
            switch f.lowercased() {
            case "json", "geojson", "application/json", "application/geo+json": return .json
            case "html", "text/html": return .html
            default:
                throw APIError(code: .invalidArgument, message: "f must be json or html, got \"\(f)\"", details: ["field": "f"])
            }
        }
        guard let accept = request.headers[.accept] else { return .json }
        var html = -1.0, json = -1.0
        for item in accept.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if type == "text/html" { html = max(html, quality) }
            if type.hasSuffix("json") { json = max(json, quality) }
        }
        return html > json ? .html : .json
    }

    /// A link object: `href`, `rel`, `type`, and a `title` and `templated` flag when given.
    static func link(_ href: String, rel: String, type: String, title: String? = nil, templated: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = ["href": .string(href), "rel": .string(rel), "type": .string(type)]
        if let title { members["title"] = .string(title) }
        if templated { members["templated"] = true }
        return .object(members)
    }

    /// `self` in `format` and `alternate` in the other one, for a document at `url` (which carries no `f`).
    static func selfLinks(_ url: String, format: Format, jsonType: String = "application/json") -> [JSONValue] {
        let separator = url.contains("?") ? "&" : "?"
        let json = link(url + separator + "f=json", rel: format == .json ? "self" : "alternate", type: jsonType, title: "this document as JSON")
        let html = link(url + separator + "f=html", rel: format == .html ? "self" : "alternate", type: "text/html", title: "this document as HTML")
        return format == .json ? [json, html] : [html, json]
    }

    /// `document` as JSON with `contentType`, or as an HTML page titled `title`.
    static func respond(_ document: JSONValue, title: String, format: Format, contentType: String = JSONResponse.jsonType) throws -> Response {
        switch format {
        case .json: return JSONResponse.bytes(try JSON.encodeBytes(document), contentType: contentType)
        case .html: return JSONResponse.bytes(Array(OGCPage.render(title: title, document: document).utf8), contentType: "text/html; charset=utf-8")
        }
    }

    /// A GeoJSON feature or collection (`bytes`, OGC members such as `links` already in it) as `application/geo+json`,
    /// or as the HTML page titled `title`; `Content-Crs` names the system of its coordinates either way.
    static func respondGeoJSON(_ bytes: [UInt8], title: String, format: Format, crs: CRSReference) throws -> Response {
        var response =
            switch format {
            case .json: JSONResponse.bytes(bytes, contentType: "application/geo+json")
            case .html: try respond(try JSON.decode(bytes), title: title, format: .html)
            }
        response.headers[.init("Content-Crs")!] = "<\(crs.uri)>"
        return response
    }

    /// The URL of this request's own path and query, minus `f` and the parameters in `dropping`, with `adding` set.
    static func requestURL(_ request: Request, base: String, dropping: Set<String> = [], adding: [(String, String)] = []) -> String {
        var items: [(String, String)] = []
        for (name, value) in request.uri.queryParameters where name != "f" && !dropping.contains(String(name)) {
            items.append((String(name), String(value)))
        }
        items += adding
        let query = items.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
        return base + request.uri.path + (query.isEmpty ? "" : "?" + query)
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// One HTML page for any OGC API document: its title, its links as a list, its other members as a definition
/// list, and features (of a collection or a single feature) as a table of their properties.
enum OGCPage {
    static func render(title: String, document: JSONValue) -> String {
        var body = "<h1>\(escape(title))</h1>\n"
        guard case .object(let members) = document else { return page(title: title, body: body + "<pre>\(escape(text(document)))</pre>") }
        if case .array(let features)? = members["features"] {
            body += featureTable(features)
        } else if members["type"] == "Feature" {
            body += featureTable([document])
        }
        let skipped: Set<String> = ["links", "features", "type", "geometry"]
        let rest = members.keys.sorted().filter { !skipped.contains($0) }
        if !rest.isEmpty {
            body += "<dl>\n" + rest.map { "<dt>\(escape($0))</dt><dd>\(value(members[$0]!))</dd>" }.joined(separator: "\n") + "\n</dl>\n"
        }
        if case .array(let links)? = members["links"] { body += "<h2>Links</h2>\n" + linkList(links) }
        return page(title: title, body: body)
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(title)) · CityGeo</title>
        <style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}dt{font-weight:bold}</style>
        </head><body>
        \(body)</body></html>
        """
    }

    private static func featureTable(_ features: [JSONValue]) -> String {
        let rows = features.compactMap { feature -> (String, [String: JSONValue])? in
            guard case .object(let members) = feature, case .object(let properties)? = members["properties"] else { return nil }
            return (members["id"].map(text) ?? "", properties)
        }
        let columns = Set(rows.flatMap { $0.1.keys }).sorted()
        var html = "<table>\n<tr><th>id</th>" + columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for (id, properties) in rows {
            html += "<tr><td>\(escape(id))</td>" + columns.map { "<td>\(escape(properties[$0].map(text) ?? ""))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func linkList(_ links: [JSONValue]) -> String {
        "<ul>\n" + links.compactMap { link -> String? in
            guard case .object(let members) = link, let href = members["href"]?.stringValue else { return nil }
            let label = members["title"]?.stringValue ?? members["rel"]?.stringValue ?? href
            let rel = members["rel"]?.stringValue ?? ""
            return members["templated"] == true
                ? "<li>\(escape(label)) (\(escape(rel))): <code>\(escape(href))</code></li>"
                : "<li><a href=\"\(escape(href))\">\(escape(label))</a> (\(escape(rel)))</li>"
        }.joined(separator: "\n") + "\n</ul>\n"
    }

    private static func value(_ value: JSONValue) -> String {
        switch value {
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
            "<ul>" + items.map { "<li>\(escape($0.stringValue!))</li>" }.joined() + "</ul>"
        case .array, .object: "<pre>\(escape(text(value)))</pre>"
        default: escape(text(value))
        }
    }

    private static func text(_ value: JSONValue) -> String {
        value.scalarText ?? ((try? JSON.encode(value)) ?? "")
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
