import Foundation
import GeoCore
import Hummingbird
import HummingbirdTLS
import Logging

/// HTTPS on the server itself (NIOSSL through Hummingbird's TLS channel: TLS 1.2 and 1.3 with the international
/// suites); for SM2 in transit (TLCP, GB/T 38636) a gateway in front does the handshake (docs/operations.md).
enum TLSSetup {
    /// The server's TLS configuration from its PEM files; `invalid_configuration` naming the file that cannot be read.
    static func serverConfiguration(_ files: TLSFiles) throws(GeoError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain) } catch {
            throw GeoError(
                code: .invalidConfiguration, message: "server.tls.certificate_file \(files.certificateChain) is not a readable PEM certificate chain",
                underlying: "\(error)")
        }
        do { key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem) } catch {
            throw GeoError(
                code: .invalidConfiguration, message: "server.tls.key_file \(files.privateKey) is not a readable PEM private key", underlying: "\(error)")
        }
        guard !chain.isEmpty else {
            throw GeoError(code: .invalidConfiguration, message: "server.tls.certificate_file \(files.certificateChain) holds no certificate")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// A plain-HTTP application on `port` answering every request with 308 to the same path on HTTPS.
    static func redirectApplication(host: String, port: Int, httpsPort: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.addMiddleware { RedirectToHTTPS(httpsPort: httpsPort) }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    }
}

/// Sends every request to the same host, path and query on HTTPS (308 keeps the method and body).
struct RedirectToHTTPS: RouterMiddleware {
    typealias Context = BasicRequestContext
    let httpsPort: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let authority = request.head.authority ?? "localhost"
        // Drop a port (never the colons inside an IPv6 literal's brackets).
        let host = authority.lastIndex(of: ":").flatMap { colon in authority[colon...].contains("]") ? nil : String(authority[..<colon]) } ?? authority
        let target = "https://\(host)\(httpsPort == 443 ? "" : ":\(httpsPort)")\(request.uri.description)"
        return Response(status: .permanentRedirect, headers: [.location: target])
    }
}
