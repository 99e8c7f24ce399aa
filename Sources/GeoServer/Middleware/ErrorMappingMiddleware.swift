import GeoCore
import Hummingbird

/// Turns every error thrown below it into the API's error body, so no endpoint answers with an empty 500.
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GeoError {
            throw APIError(error)
        } catch let error as APIError {
            throw error
        } catch let error as RateLimited {
            throw error
        } catch let error as MethodNotAllowed {
            throw error
        } catch is CancellationError {
            // Stopped by a shutdown or a gone client: nothing was committed, and it is not the request's fault.
            throw APIError(code: .cancelled, message: "the request was stopped before it finished (the server is shutting down)")
        } catch let error as HTTPError {
            // No route for this method: 405 naming the ones there are, when the path has any.
            // (The router's not-found responder labels the request "NotFound" for metrics.)
            if error.status == .notFound, (context.endpointPath ?? "NotFound") == "NotFound" {
                let allowed = RouteScopes.allowedMethods(at: request.uri.path)
                if !allowed.isEmpty { throw MethodNotAllowed(method: request.method.rawValue, path: request.uri.path, allowed: allowed) }
            }
            throw APIError(code: Self.code(of: error.status), message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unhandled error: \(error)")
            throw APIError(code: .internalError, message: "internal error")
        }
    }
}

extension ErrorMappingMiddleware {
    /// The code of an error Hummingbird raised with a bare status (a missing path parameter, a body over the
    /// limit), so that its answer has one of the API's codes and that code's one status.
    static func code(of status: HTTPResponse.Status) -> GeoError.Code {
        switch status {
        case .notFound: .notFound
        case .contentTooLarge: .payloadTooLarge
        case .methodNotAllowed: .methodNotAllowed
        case .requestTimeout, .serviceUnavailable: .timeout
        case _ where (400..<500).contains(status.code): .invalidArgument
        default: .internalError
        }
    }
}
