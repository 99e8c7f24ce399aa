import Foundation
import GeoCore
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GeoServer

/// Fence events posted to webhooks: retries with backoff, order, giving up, and a live receiver end to end.
@Suite struct WebhookTests {
    /// Records what a fake receiver got; answers from a script of statuses (then 200).
    actor Receiver {
        var script: [Int]
        var bodies: [(URL, String)] = []
        var calls = 0
        init(script: [Int]) { self.script = script }
        func receive(_ url: URL, _ body: [UInt8]) throws -> Int {
            calls += 1
            let status = script.isEmpty ? 200 : script.removeFirst()
            if status == 0 { throw URLError(.cannotConnectToHost) }
            if (200..<300).contains(status) { bodies.append((url, String(decoding: body, as: UTF8.self))) }
            return status
        }
    }

    @Test func retriesUntilDeliveredThenGoesOnInOrder() async throws {
        let receiver = Receiver(script: [503, 0, 200, 200])
        let url = URL(string: "http://monitor.example/hook")!
        let dispatcher = WebhookDispatcher(urls: [url], maximumAttempts: 4, baseDelay: .milliseconds(1)) { try await receiver.receive($0, $1) }
        await dispatcher.deliver([(id: "e1", body: Array("{\"n\":1}".utf8)), (id: "e2", body: Array("{\"n\":2}".utf8))])
        let deliveries = await dispatcher.deliveries
        #expect(deliveries.map(\.eventId) == ["e1", "e2"])
        #expect(deliveries.map(\.attempts) == [3, 1])
        #expect(deliveries.allSatisfy { $0.delivered })
        #expect(await receiver.bodies.map(\.1) == ["{\"n\":1}", "{\"n\":2}"])
    }

    @Test func aDeadReceiverIsGivenUpOnAndDoesNotBlockTheNext() async throws {
        let dead = URL(string: "http://dead.example/hook")!, alive = URL(string: "http://alive.example/hook")!
        let receiver = Receiver(script: [500, 500, 500])
        let dispatcher = WebhookDispatcher(urls: [dead, alive], maximumAttempts: 3, baseDelay: .milliseconds(1)) { try await receiver.receive($0, $1) }
        await dispatcher.deliver([(id: "e1", body: Array("{}".utf8))])
        let deliveries = await dispatcher.deliveries
        #expect(deliveries.map(\.url) == [dead, alive])
        #expect(deliveries.map(\.attempts) == [3, 1])
        #expect(deliveries.map(\.delivered) == [false, true])
    }

    @Test func aLiveReceiverGetsTheEventOfAPostedPosition() async throws {
        actor Inbox {
            var bodies: [String] = []
            func add(_ body: String) { bodies.append(body) }
        }
        let inbox = Inbox()
        let receiverRouter = Router()
        receiverRouter.post("hook") { request, context -> HTTPResponse.Status in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            await inbox.add(String(buffer: buffer))
            return .ok
        }
        try await Application(router: receiverRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { receiver in
            let hook = URL(string: "http://127.0.0.1:\(receiver.port!)/hook")!
            let configuration = ServerConfiguration(databasePath: nil, fenceWebhooks: [hook])
            let router = try await buildRouter(store: try SpatialStore.temporary(), configuration: configuration)
            try await Application(router: router).test(.router) { client in
                // With a registry, a vehicle it does not list raises 外来车辆 at once when flushed.
                try await client.execute(uri: "/v1/vehicles", method: .put, body: ByteBuffer(string: #"[{"id":"苏J00001","class":"muck"}]"#)) { response in
                    #expect(response.status == .ok)
                }
                let body = #"{"positions":[{"vehicle_id":"外A00001","time":1795392000,"lon":120.46,"lat":33.2}],"flush":true}"#
                try await client.execute(uri: "/v1/positions", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                }
                var waited = 0
                while await inbox.bodies.isEmpty && waited < 100 {
                    try await Task.sleep(for: .milliseconds(50))
                    waited += 1
                }
                let received = await inbox.bodies
                #expect(received.count == 1)
                #expect(received.first?.contains("\"vehicle_id\":\"外A00001\"") == true)
                #expect(received.first?.contains("unknownVehicle") == true)
            }
        }
    }
}
