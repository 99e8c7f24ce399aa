import Foundation
import GeoCore
import Hummingbird
import Synchronization

/// `GET /openapi.json`: the OpenAPI 3.1 document of every route, the file `openapi.json` beside this one (a
/// resource of the target; docs/openapi.json links to it). `OpenAPIContractTests` keeps it equal to the router.
///
/// The file describes a server that needs a key on every route but the open ones. The document served says what
/// this server does under its access policy: an operation whose scope is public (`access.public_scopes`), or every
/// operation when keys are not required, lists an empty security requirement beside the two key schemes, so a
/// client knows it may call it without a key (and that a key, when sent, is still checked).
struct OpenAPIController {
    /// The document's bytes, made once at start.
    let document: [UInt8]
    /// The same document as OpenAPI 3.0.3 (``OpenAPIDowngrade``), answered at `/ogc/api`: made on its first request,
    /// since most servers never get one and every start (and every router a test builds) would pay for it.
    let documentOpenAPI30: LazyBytes

    /// Reads the bundled document and adapts it to `access`; a build without it fails at start rather than
    /// answering 404 later.
    static func load(access: AccessPolicy) throws -> OpenAPIController {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw GeoError(code: .missingResource, message: "openapi.json is not in the GeoServer resource bundle")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        let document = try JSON.encodeBytes(served(try JSON.decode(bytes), access: access))
        return OpenAPIController(
            document: document, documentOpenAPI30: LazyBytes { try JSON.encodeBytes(OpenAPIDowngrade.downgrade(try JSON.decode(document))) })
    }

    /// `document` as a server with `access` answers: see the type's description.
    static func served(_ document: JSONValue, access: AccessPolicy) -> JSONValue {
        guard case .object(var root) = document, case .object(var paths)? = root["paths"] else { return document }
        for (path, item) in paths {
            guard case .object(var operations) = item else { continue }
            for (method, operation) in operations {
                guard case .object(var members) = operation, let scopeName = members["x-citygeo-scope"]?.stringValue,
                    let scope = AccessScope(rawValue: scopeName), case .array(let security)? = members["security"]
                else { continue }
                guard !access.requireKeys || access.publicScopes.contains(scope) else { continue }
                let anonymous = JSONValue.object([:])
                if !security.contains(anonymous) { members["security"] = .array([anonymous] + security) }
                operations[method] = .object(members)
            }
            paths[path] = .object(operations)
        }
        root["paths"] = .object(paths)
        return .object(root)
    }

    func register(on router: Router<CityRequestContext>) {
        router.get("openapi.json", use: openAPIDocument)
        router.get(RouterPath(OGCDocuments.root + "/api"), use: ComputePool.shared.offloaded(openAPI30Document))
    }

    /// `GET /ogc/api`: the API definition the OGC landing page names, in OpenAPI 3.0.
    @Sendable func openAPI30Document(_ request: Request, context: CityRequestContext) async throws -> Response {
        JSONResponse.bytes(try documentOpenAPI30.value, contentType: OGCDocuments.openAPI30Type)
    }

    /// `GET /openapi.json`.
    @Sendable func openAPIDocument(_ request: Request, context: CityRequestContext) async throws -> Response {
        JSONResponse.bytes(document, contentType: "application/json")
    }

}

/// Bytes made by `make` on first use and kept; concurrent first uses may both make them, and either result is kept
/// (they are equal).
final class LazyBytes: Sendable {
    private let make: @Sendable () throws -> [UInt8]
    private let made = Mutex<[UInt8]?>(nil)

    init(_ make: @escaping @Sendable () throws -> [UInt8]) { self.make = make }

    var value: [UInt8] {
        get throws {
            if let bytes = made.withLock({ $0 }) { return bytes }
            let bytes = try make()
            made.withLock { $0 = bytes }
            return bytes
        }
    }
}
