import Foundation
import GeoCore
import GeoStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context of every CityGeo route: Hummingbird's core context, the client's address (for
/// anonymous rate limits and the audit log) and the caller once authenticated.
public struct CityRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address; nil in router tests.
    public let remoteAddress: String?
    /// The key that authenticated this request; nil for anonymous requests.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
