import Foundation
import GeoCore
import Hummingbird

/// `GET /openapi.json`: the OpenAPI 3.1 document of every route, the file `openapi.json` beside this one (a
/// resource of the target; docs/openapi.json links to it). `OpenAPIContractTests` keeps it equal to the router.
struct OpenAPIController {
    /// The document's bytes, read once at start.
    let document: [UInt8]

    /// Reads the bundled document; a build without it fails at start rather than answering 404 later.
    static func load() throws -> OpenAPIController {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw GeoError(code: .missingResource, message: "openapi.json is not in the GeoServer resource bundle")
        }
        return OpenAPIController(document: [UInt8](try Data(contentsOf: url)))
    }

    func register(on router: Router<CityRequestContext>) {
        router.get("openapi.json", use: openAPIDocument)
    }

    /// `GET /openapi.json`.
    @Sendable func openAPIDocument(_ request: Request, context: CityRequestContext) async throws -> Response {
        JSONResponse.bytes(document, contentType: "application/json")
    }

}
