import Foundation
import GeoCore
import GeoCrypto
import StoreBackends
import Testing

@testable import GeoStore
@testable import GeoStorePostGIS

private func point(_ x: Double, _ y: Double) -> Geometry { .point(Point(Coordinate(x: x, y: y))) }

/// One refused edit: the feature written and the error it must give.
struct RefusedEdit: Sendable, CustomTestStringConvertible {
    var label: String
    var feature: Feature
    var code: GeoError.Code
    var messageContains: String

    var testDescription: String { label }
}

/// Single-feature reads and edits (OGC API - Features Part 4 underneath), on every backend.
@Suite struct FeatureEditTests {
    /// Layer `points` of three points on a diagonal: extent (120.40, 33.10)-(120.50, 33.20).
    static func storeWithPoints(_ backend: StoreBackend, dataKeys: DataKeyRing? = nil) async throws -> (any CityStore, LayerInfo) {
        let store = try await backend.make(dataKeys: dataKeys)
        let features = [(120.40, 33.10), (120.45, 33.15), (120.50, 33.20)].enumerated().map { k, xy in
            Feature(id: .int(Int64(k + 1)), geometry: point(xy.0, xy.1), properties: ["name": .string("p\(k + 1)")])
        }
        let info = try await store.importLayer(name: "points", features: FeatureCollection(features), options: ImportOptions(title: "点"))
        return (store, info)
    }

    @Test(arguments: StoreBackend.all)
    func aDeletedFidIsNeverGivenAgain(_ backend: StoreBackend) async throws {
        let (store, _) = try await Self.storeWithPoints(backend)
        let fourth = try await store.insertFeature(Feature(geometry: point(120.41, 33.11), properties: [:]), into: "points")
        #expect(fourth.fid == 4)
        // The highest fid deleted: the next feature takes 5, not 4 again (an item's URL names one feature for good).
        _ = try await store.deleteFeature(fid: 4, in: "points")
        let fifth = try await store.insertFeature(Feature(geometry: point(120.42, 33.12), properties: [:]), into: "points")
        #expect(fifth.fid == 5)
        #expect(try await store.feature(in: "points", fid: 4) == nil)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func insertReplaceAndDeleteKeepTheCatalogueExact(_ backend: StoreBackend) async throws {
        let (store, imported) = try await Self.storeWithPoints(backend)
        #expect(imported.featureCount == 3)
        #expect(imported.bbox == BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.50, maxY: 33.20))
        var versions = [imported.version]

        // Insert: a new fid above the others, the extent grown, the schema extended by the new member.
        let added = Feature(id: .string("p4"), geometry: point(120.55, 33.05), properties: ["name": "p4", "level": 2])
        let inserted = try await store.insertFeature(added, into: "points")
        #expect(inserted.fid == 4)
        #expect(inserted.layer.featureCount == 4)
        #expect(inserted.layer.bbox == BoundingBox(minX: 120.40, minY: 33.05, maxX: 120.55, maxY: 33.20))
        #expect(inserted.layer.schema == [AttributeField(name: "level", type: .integer), AttributeField(name: "name", type: .text)])
        #expect(inserted.layer.title == "点")
        #expect(inserted.layer.createdAt == imported.createdAt)
        #expect(inserted.layer.geometryType == .point)
        #expect(try await store.layer(named: "points") == inserted.layer)
        #expect(try await store.feature(in: "points", fid: 4) == StoredFeature(fid: 4, feature: added))
        // The spatial index follows the new row.
        let aroundNew = BoundingBox(minX: 120.54, minY: 33.04, maxX: 120.56, maxY: 33.06)
        #expect(try await store.features(in: "points", bbox: aroundNew).map(\.fid) == [4])
        versions.append(inserted.layer.version)

        // Replace the feature on the extent's corner: the extent is recomputed (back to the first three); the schema
        // is widened (level becomes real, note is new), never narrowed.
        let moved = Feature(id: .int(44), geometry: point(120.46, 33.16), properties: ["name": "p4 moved", "level": 2.5, "note": "moved"])
        let replaced = try await store.replaceFeature(fid: 4, in: "points", with: moved)
        #expect(replaced.fid == 4)
        #expect(replaced.layer.featureCount == 4)
        #expect(replaced.layer.bbox == BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.50, maxY: 33.20))
        #expect(replaced.layer.schema.map(\.name) == ["level", "name", "note"])
        #expect(replaced.layer.schema.first == AttributeField(name: "level", type: .real))
        #expect(try await store.feature(in: "points", fid: 4) == StoredFeature(fid: 4, feature: moved))
        #expect(try await store.features(in: "points", bbox: aroundNew).isEmpty)
        versions.append(replaced.layer.version)

        // Replace an inner feature with one outside: the extent grows.
        let outside = Feature(geometry: point(120.60, 33.12), properties: [:])
        let grown = try await store.replaceFeature(fid: 2, in: "points", with: outside)
        #expect(grown.layer.bbox == BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.60, maxY: 33.20))
        #expect(try await store.feature(in: "points", fid: 2) == StoredFeature(fid: 2, feature: outside))
        versions.append(grown.layer.version)

        // Delete an inner feature (the extent kept), then one on an edge (recomputed), then the rest (none).
        let innerGone = try await store.deleteFeature(fid: 4, in: "points")
        #expect(innerGone.fid == 4)
        #expect(innerGone.layer.featureCount == 3)
        #expect(innerGone.layer.bbox == grown.layer.bbox)
        #expect(try await store.feature(in: "points", fid: 4) == nil)
        versions.append(innerGone.layer.version)
        let edgeGone = try await store.deleteFeature(fid: 2, in: "points")
        #expect(edgeGone.layer.featureCount == 2)
        #expect(edgeGone.layer.bbox == BoundingBox(minX: 120.40, minY: 33.10, maxX: 120.50, maxY: 33.20))
        versions.append(edgeGone.layer.version)
        _ = try await store.deleteFeature(fid: 1, in: "points")
        let empty = try await store.deleteFeature(fid: 3, in: "points")
        #expect(empty.layer.featureCount == 0)
        #expect(empty.layer.bbox == nil)
        #expect(empty.layer.schema.map(\.name) == ["level", "name", "note"])
        #expect(try await store.features(in: "points").isEmpty)
        versions.append(empty.layer.version)

        #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 }, "versions \(versions)")
        #expect(try await store.layer(named: "points") == empty.layer)
        #expect(empty.layer.updatedAt >= imported.updatedAt)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func missingFeaturesAndLayersAreNamed(_ backend: StoreBackend) async throws {
        let (store, imported) = try await Self.storeWithPoints(backend)
        #expect(try await store.feature(in: "points", fid: 99) == nil)
        #expect(try await store.feature(in: "points", fid: 2)?.feature.properties == ["name": "p2"])
        let edits: [(String, @Sendable () async throws -> Void)] = [
            ("replace", { _ = try await store.replaceFeature(fid: 99, in: "points", with: Feature(geometry: point(120.4, 33.1))) }),
            ("delete", { _ = try await store.deleteFeature(fid: 99, in: "points") }),
        ]
        for (label, edit) in edits {
            let error = await #expect(throws: GeoError.self, "\(label)") { try await edit() }
            #expect(error?.code == .featureNotFound)
            #expect(error?.message.contains("99") == true)
        }
        #expect(try await store.layer(named: "points") == imported)

        let unknown: [(String, @Sendable () async throws -> Void)] = [
            ("read", { _ = try await store.feature(in: "nope", fid: 1) }),
            ("insert", { _ = try await store.insertFeature(Feature(geometry: point(120.4, 33.1)), into: "nope") }),
            ("replace", { _ = try await store.replaceFeature(fid: 1, in: "nope", with: Feature(geometry: point(120.4, 33.1))) }),
            ("delete", { _ = try await store.deleteFeature(fid: 1, in: "nope") }),
        ]
        for (label, edit) in unknown {
            let error = await #expect(throws: GeoError.self, "\(label)") { try await edit() }
            #expect(error?.code == .layerNotFound)
        }
        #expect(try await store.layer(named: "nope") == nil)
        await StoreBackend.release(store)
    }

    static let refused: [RefusedEdit] = [
        RefusedEdit(label: "a point into a polygon layer", feature: Feature(geometry: point(120.3, 33.3)), code: .invalidGeometry, messageContains: "holds Polygon"),
        RefusedEdit(label: "longitude out of range", feature: Feature(geometry: square(180, 33, 0.5)), code: .outOfRange, messageContains: "180.5"),
        RefusedEdit(label: "non-finite coordinate", feature: Feature(geometry: square(.infinity, 33, 0.5)), code: .invalidGeometry, messageContains: "non-finite"),
        RefusedEdit(label: "no geometry", feature: Feature(geometry: nil, properties: ["name": "x"]), code: .invalidGeometry, messageContains: "no geometry"),
        RefusedEdit(
            label: "an unclosed ring",
            feature: Feature(geometry: .polygon(Polygon(exterior: [
                Coordinate(x: 120, y: 33), Coordinate(x: 121, y: 33), Coordinate(x: 121, y: 34), Coordinate(x: 120, y: 34),
            ]))),
            code: .invalidGeometry, messageContains: "not closed"),
    ]

    @Test(arguments: StoreBackend.all, refused)
    func refusedFeaturesChangeNothing(_ backend: StoreBackend, _ refused: RefusedEdit) async throws {
        let store = try await storeWithBaseLayer(backend)
        let before = try await StoreSnapshot.take(store)
        let entry = try await store.layer(named: "base")
        let edits: [(String, @Sendable () async throws -> Void)] = [
            ("insert", { _ = try await store.insertFeature(refused.feature, into: "base") }),
            ("replace", { _ = try await store.replaceFeature(fid: 1, in: "base", with: refused.feature) }),
        ]
        for (label, edit) in edits {
            let error = await #expect(throws: GeoError.self, "\(label)") { try await edit() }
            #expect(error?.code == refused.code, "\(label)")
            #expect(error?.location == "geometry", "\(label)")
            #expect(error?.message.contains(refused.messageContains) == true, "\(label): \(error?.message ?? "none")")
        }
        #expect(try await StoreSnapshot.take(store) == before)
        #expect(try await store.layer(named: "base") == entry)
        await StoreBackend.release(store)
    }

    @Test(arguments: StoreBackend.all)
    func sensitiveMembersAreSealedOnEveryWriteAndOpenedOnRead(_ backend: StoreBackend) async throws {
        let ring = try DataKeyRing.parse(ComplianceStoreTests.keyLine, source: "test")
        let (store, _) = try await Self.storeWithPoints(backend, dataKeys: ring)
        #expect(try await store.protect(SensitiveColumn(layer: "points", column: "phone")) == 0)
        let inserted = try await store.insertFeature(
            Feature(geometry: point(120.42, 33.12), properties: ["name": "p4", "phone": "13900000004"]), into: "points")
        let replaced = Feature(geometry: point(120.43, 33.13), properties: ["name": "p1", "phone": "13900000001"])
        _ = try await store.replaceFeature(fid: 1, in: "points", with: replaced)
        let raw = try await Probe.rows(
            store, spatialite: "SELECT properties FROM layer_points WHERE fid IN (1, 4) ORDER BY fid",
            postgis: "SELECT properties::text FROM layer_points WHERE fid IN (1, 4) ORDER BY fid"
        ).map { $0.first??.description ?? "" }
        #expect(raw.count == 2)
        #expect(raw.allSatisfy { !$0.contains("139000000") && $0.contains("sm4:") }, "\(raw)")
        #expect(try await store.feature(in: "points", fid: 4)?.feature.properties["phone"] == "13900000004")
        #expect(try await store.feature(in: "points", fid: 1) == StoredFeature(fid: 1, feature: replaced))
        #expect(inserted.fid == 4)

        // Without the key, nothing sensitive is read or written.
        let keyless = try await StoreBackend.replica(of: store)
        let unread = await #expect(throws: GeoError.self) { _ = try await keyless.feature(in: "points", fid: 4) }
        #expect(unread?.code == .encryptionKeyMissing)
        let version = try await store.layerVersion(named: "points")
        let unwritten = await #expect(throws: GeoError.self) {
            _ = try await keyless.insertFeature(Feature(geometry: point(120.44, 33.14), properties: ["phone": "13900000005"]), into: "points")
        }
        #expect(unwritten?.code == .encryptionKeyMissing)
        #expect(try await store.layerVersion(named: "points") == version)
        #expect(try await store.featureCount(in: "points") == 4)
        await StoreBackend.release(keyless)
        await StoreBackend.release(store)
    }

    /// Replicas follow edits as they follow imports: through the change feed where the backend pushes changes
    /// (PostGIS), through the catalogue version they poll where it does not (SpatiaLite).
    @Test(arguments: StoreBackend.all)
    func everyEditIsAnnouncedToReplicas(_ backend: StoreBackend) async throws {
        let (store, imported) = try await Self.storeWithPoints(backend)
        let replica = try await StoreBackend.replica(of: store)
        let feed = try await replica.changes()
        #expect((feed == nil) == (store is SpatialStore))
        let inserted = try await store.insertFeature(Feature(geometry: point(120.42, 33.12)), into: "points")
        #expect(try await replica.layerVersion(named: "points") == inserted.layer.version)
        let replaced = try await store.replaceFeature(fid: 4, in: "points", with: Feature(geometry: point(120.43, 33.13)))
        #expect(try await replica.layerVersion(named: "points") == replaced.layer.version)
        let deleted = try await store.deleteFeature(fid: 4, in: "points")
        #expect(try await replica.layerVersion(named: "points") == deleted.layer.version)
        let versions = [imported.version, inserted.layer.version, replaced.layer.version, deleted.layer.version]
        #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 }, "versions \(versions)")
        if let feed {
            let seen = await PostGISChangeFeedTests.collect(feed) { $0.filter { $0 == .layer("points") }.count == 3 }
            #expect(seen.filter { $0 == .layer("points") }.count == 3, "\(seen)")
        }
        await StoreBackend.release(replica)
        await StoreBackend.release(store)
    }
}
