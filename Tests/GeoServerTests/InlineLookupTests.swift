import Foundation
import GeoCore
@testable import GeoServer
import GeoStore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

/// `GET /v1/geocode` and `/v1/reverse` answered on the event loop (`InlineLookupHandler`): the same bytes as the
/// router's answers, in request order, and handed to the router whenever the router must decide.
@Suite struct InlineLookupTests {
    static let root = GeocodeEndpointTests.root

    static func routes(_ configuration: GeoServer.ServerConfiguration) async throws -> (router: Router<CityRequestContext>, lookups: InlineLookups) {
        try await buildRoutes(store: try await GeocodeEndpointTests.store.value, configuration: configuration, logger: Logger(label: "test"), serverName: "CityGeo").routerAndLookups
    }

    /// The routes of the default configuration, built once for the tests that only read through them.
    static func sharedRoutes() async throws -> (responder: RouterResponder<CityRequestContext>, lookups: InlineLookups) {
        try await SharedRoutes.shared.routes("inline-default") { try await routes(configuration()) }
    }

    static func configuration(access: AccessPolicy = AccessPolicy(), refresh: Duration = .seconds(3_600)) -> GeoServer.ServerConfiguration {
        GeoServer.ServerConfiguration(databasePath: nil, demoDataRoot: root, indexRefreshInterval: refresh, access: access)
    }

    /// A channel with the handler; what it hands to the router arrives as the channel's inbound data.
    static func channel(_ lookups: InlineLookups) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(InlineLookupHandler(lookups: lookups))
        return channel
    }

    static func get(_ target: String, headers: HTTPFields = [:]) -> HTTPRequest {
        HTTPRequest(method: .get, scheme: nil, authority: nil, path: target, headerFields: headers)
    }

    /// Sends one body-less request; returns the inline response (head and body) if the handler gave one.
    static func send(_ request: HTTPRequest, on channel: EmbeddedChannel) throws -> (head: HTTPResponse, body: [UInt8])? {
        try channel.writeInbound(HTTPRequestPart.head(request))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        guard case .head(let head)? = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        guard case .body(let body)? = try channel.readOutbound(as: HTTPResponsePart.self),
            case .end? = try channel.readOutbound(as: HTTPResponsePart.self)
        else {
            Issue.record("an inline answer is head, body, end")
            return nil
        }
        return (head, Array(body.readableBytesView))
    }

    /// The request parts the handler handed on, in order, as "head <path>", "body", "end".
    static func handedOn(_ channel: EmbeddedChannel) throws -> [String] {
        var parts: [String] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let request): parts.append("head \(request.path ?? "")")
            case .body: parts.append("body")
            case .end: parts.append("end")
            }
        }
        return parts
    }

    /// The router's answer to a handed-on request passing back through the handler (its end is what counts).
    static func routerAnswers(on channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
    }

    static let targets: [String] = [
        GeocodeEndpointTests.uri("/v1/geocode", [("q", "丰华街道人民北路十四号"), ("crs", "gcj02")]),
        GeocodeEndpointTests.uri("/v1/geocode", [("q", "大丰区仁民被路14号"), ("limit", "3")]),
        GeocodeEndpointTests.uri("/v1/geocode", [("q", "幸福大道88号东侧50米"), ("crs", "bd09")]),
        GeocodeEndpointTests.uri("/v1/geocode", [("q", "完全不存在的地方")]),
        "/v1/reverse?lon=120.4700&lat=33.2000",
        "/v1/reverse?lon=120.4700&lat=33.2000&crs=wgs84&radius=50",
    ]

    @Test func inlineAnswersAreTheRoutersBytesAndHeaders() async throws {
        let (responder, lookups) = try await Self.sharedRoutes()
        let channel = try Self.channel(lookups)
        try await Application(responder: responder).test(.router) { client in
            for target in Self.targets {
                let inline = try #require(try Self.send(Self.get(target), on: channel), "not answered inline: \(target)")
                #expect(try Self.handedOn(channel).isEmpty)
                try await client.execute(uri: target, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(inline.head.status == .ok)
                    #expect(inline.body == Array(response.body.readableBytesView), "\(target)")
                    #expect(inline.head.headerFields[.contentType] == response.headers[.contentType])
                    #expect(inline.head.headerFields[.contentLength] == String(response.body.readableBytes))
                }
                #expect(inline.head.headerFields[.server] == "CityGeo")
                let date = try #require(inline.head.headerFields[.date])
                #expect(date.hasSuffix(" GMT") && date.count == 29, "\(date)")
            }
        }
    }

    @Test func parameterErrorsAndOtherRoutesGoToTheRouter() async throws {
        let (_, lookups) = try await Self.sharedRoutes()
        let channel = try Self.channel(lookups)
        let declined = [
            "/v1/geocode?q=", "/v1/geocode?q=%E4%BA%BA&limit=0", "/v1/geocode?q=%E4%BA%BA&crs=epsg:3857", "/v1/reverse?lon=500&lat=33",
            "/v1/reverse?lon=120.47", "/v1/autocomplete?q=%E4%BA%BA", "/v1/geocode/batch", "/v1/geocodex?q=1", "/health",
        ]
        for target in declined {
            #expect(try Self.send(Self.get(target), on: channel) == nil, "\(target)")
            #expect(try Self.handedOn(channel) == ["head \(target)", "end"], "\(target)")
            // The router's answer ends the request; the next may be answered inline again.
            try Self.routerAnswers(on: channel)
        }
        let post = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/geocode?q=%E4%BA%BA", headerFields: [:])
        #expect(try Self.send(post, on: channel) == nil)
        #expect(try Self.handedOn(channel) == ["head /v1/geocode?q=%E4%BA%BA", "end"])
        try Self.routerAnswers(on: channel)
        let closing = Self.get(Self.targets[0], headers: [.connection: "close"])
        #expect(try Self.send(closing, on: channel) == nil)
        #expect(try Self.handedOn(channel).count == 2)
        try Self.routerAnswers(on: channel)
        // Expecting 100-continue: handed on with its head, before any end or body arrives.
        try channel.writeInbound(HTTPRequestPart.head(Self.get(Self.targets[0], headers: [.expect: "100-continue"])))
        #expect(try Self.handedOn(channel).count == 1)
    }

    @Test func aRequestWithABodyGoesToTheRouterWhole() async throws {
        let (_, lookups) = try await Self.sharedRoutes()
        let channel = try Self.channel(lookups)
        try channel.writeInbound(HTTPRequestPart.head(Self.get("/v1/reverse?lon=120.47&lat=33.2")))
        #expect(try Self.handedOn(channel).isEmpty)  // held until its end or body shows up
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "x")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.handedOn(channel) == ["head /v1/reverse?lon=120.47&lat=33.2", "body", "end"])
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
    }

    @Test func nothingOvertakesARequestTheRouterHasNotAnswered() async throws {
        let (_, lookups) = try await Self.sharedRoutes()
        let channel = try Self.channel(lookups)
        let reverse = "/v1/reverse?lon=120.47&lat=33.2"
        #expect(try Self.send(Self.get("/v1/autocomplete?q=%E4%BA%BA"), on: channel) == nil)
        // Pipelined behind the unanswered one: handed on too, so the answers keep the requests' order.
        #expect(try Self.send(Self.get(reverse), on: channel) == nil)
        #expect(try Self.handedOn(channel) == ["head /v1/autocomplete?q=%E4%BA%BA", "end", "head \(reverse)", "end"])
        try Self.routerAnswers(on: channel)
        #expect(try Self.send(Self.get(reverse), on: channel) == nil)  // the second is still unanswered
        #expect(try Self.handedOn(channel) == ["head \(reverse)", "end"])
        try Self.routerAnswers(on: channel)
        try Self.routerAnswers(on: channel)
        #expect(try Self.send(Self.get(reverse), on: channel)?.head.status == .ok)
    }

    @Test func aClientThatDoesNotReadMeetsTheRoutersBackpressure() async throws {
        let (_, lookups) = try await Self.sharedRoutes()
        let channel = try Self.channel(lookups)
        channel.isWritable = false
        #expect(try Self.send(Self.get(Self.targets[4]), on: channel) == nil)
        #expect(try Self.handedOn(channel) == ["head \(Self.targets[4])", "end"])
        try Self.routerAnswers(on: channel)
        channel.isWritable = true
        #expect(try Self.send(Self.get(Self.targets[4]), on: channel)?.head.status == .ok)
        // An answer with no head handed on (Hummingbird's 400 for a malformed request) does not count below zero.
        try Self.routerAnswers(on: channel)
        #expect(try Self.send(Self.get(Self.targets[4]), on: channel)?.head.status == .ok)
    }

    @Test func anIndexDueForItsCheckGoesToTheRouter() async throws {
        let (_, lookups) = try await Self.routes(Self.configuration(refresh: .zero))
        let channel = try Self.channel(lookups)
        #expect(try Self.send(Self.get(Self.targets[0]), on: channel) == nil)
        #expect(try Self.handedOn(channel).count == 2)
    }

    @Test func keysScopesAndRatesAreTheRouters() async throws {
        let store = try await GeocodeEndpointTests.store.value
        let limited = try await AccessControlTests.key(store, name: "intake", scopes: [.geocode], rate: 0.01)
        let tilesOnly = try await AccessControlTests.key(store, name: "map", scopes: [.tiles])
        let access = AccessPolicy(requireKeys: true, publicScopes: [.tiles], keyRefreshInterval: .seconds(3_600))
        let (router, lookups) = try await Self.routes(Self.configuration(access: access))
        let channel = try Self.channel(lookups)
        let target = Self.targets[1]
        // The key ring is loaded by the router's first look; until then every keyed request is handed on.
        #expect(try Self.send(Self.get(target, headers: [.authorization: "Bearer \(limited)"]), on: channel) == nil)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: target, method: .get, headers: [.authorization: "Bearer \(limited)"]) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try Self.handedOn(channel).count == 2)
        try Self.routerAnswers(on: channel)
        // No key, a key without the scope, an unknown key: refusals, which the router answers.
        let refused: [HTTPFields] = [[:], [.authorization: "Bearer \(tilesOnly)"], [.authorization: "Bearer cgk_k00000000_" + String(repeating: "0", count: 64)]]
        for headers in refused {
            #expect(try Self.send(Self.get(target, headers: headers), on: channel) == nil)
            #expect(try Self.handedOn(channel).count == 2)
            try Self.routerAnswers(on: channel)
        }
        // 0.01 requests/s gives a burst of 10: the router took one token, so nine more are answered inline, then the
        // bucket is empty and the tenth goes to the router (which answers 429).
        var inline = 0
        for _ in 0..<10 {
            if try Self.send(Self.get(target, headers: [.authorization: "Bearer \(limited)"]), on: channel) != nil {
                inline += 1
            } else {
                #expect(try Self.handedOn(channel).count == 2)
                try Self.routerAnswers(on: channel)
            }
        }
        #expect(inline == 9)
    }

    @Test func theDateHeaderIsAnIMFFixdate() {
        #expect(HTTPDateCache.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateCache.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDateCache.format(1_795_392_000 + 3_723) == "Mon, 23 Nov 2026 01:02:03 GMT")
    }

    @Test func aLiveServerAnswersInlineAndThroughTheRouterOnOneConnection() async throws {
        let (responder, lookups) = try await Self.sharedRoutes()
        let targets = [Self.targets[0], "/v1/autocomplete?q=%E4%BA%BA%E6%B0%91", Self.targets[4], "/v1/geocode?q="]
        let expected: [String: [UInt8]] = try await Application(responder: responder).test(.router) { client in
            var bodies: [String: [UInt8]] = [:]
            for target in targets {
                try await client.execute(uri: target, method: .get) { response in bodies[target] = Array(response.body.readableBytesView) }
            }
            return bodies
        }
        let server = HTTPServerBuilder { channelResponder in
            InlineLookupChannel(http1: HTTP1Channel(responder: channelResponder), lookups: lookups)
        }
        let app = Application(
            responder: responder, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "CityGeo"))
        try await app.test(.live) { client in
            for target in targets {
                try await client.execute(uri: target, method: .get) { response in
                    #expect(response.status == (target.hasSuffix("q=") ? .badRequest : .ok), "\(target)")
                    #expect(Array(response.body.readableBytesView) == expected[target], "\(target)")
                    #expect(response.headers[.server] == "CityGeo")
                }
            }
        }
        let error = String(decoding: try #require(expected["/v1/geocode?q="]), as: UTF8.self)
        #expect(error.contains("\"invalid_argument\""))
    }
}
