import GeoCore
import Testing

/// OGC CRS URIs: the spellings read, the axis order of each system, and the refusal of others.
@Suite struct CRSReferenceTests {
    @Test(arguments: [
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
        ("https://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
        ("[OGC:CRS84]", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
        ("urn:ogc:def:crs:EPSG::4490", "http://www.opengis.net/def/crs/EPSG/0/4490"),
        ("[EPSG:4490]", "http://www.opengis.net/def/crs/EPSG/0/4490"),
        ("EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/4326"),
    ])
    func spellingsNameTheSameSystem(text: String, uri: String) throws {
        #expect(try CRSReference.parse(text, field: "crs").uri == uri)
    }

    @Test(arguments: ["EPSG:3857", "http://www.opengis.net/def/crs/EPSG/0/4549", "", "gcj02"])
    func otherSystemsAreRefusedNamingTheField(text: String) {
        #expect {
            _ = try CRSReference.parse(text, field: "bbox-crs")
        } throws: { error in
            (error as? GeoError)?.code == .invalidCRS && (error as? GeoError)?.location == "bbox-crs"
        }
    }

    @Test func epsgSystemsWriteLatitudeFirstAndCRS84LongitudeFirst() {
        let point = Geometry.point(Point(Coordinate(x: 120.46, y: 33.20)))
        #expect(CRSReference.epsg4490.fromLonLat(point, source: .cgcs2000) == .point(Point(Coordinate(x: 33.20, y: 120.46))))
        #expect(CRSReference.crs84.fromLonLat(point, source: .cgcs2000) == point)
        #expect(CRSReference.epsg4326.toLonLat(.point(Point(Coordinate(x: 33.20, y: 120.46))), target: .cgcs2000) == point)
        let box = BoundingBox(minX: 33.1, minY: 120.4, maxX: 33.3, maxY: 120.5)
        #expect(CRSReference.epsg4490.toLonLat(box, target: .cgcs2000) == BoundingBox(minX: 120.4, minY: 33.1, maxX: 120.5, maxY: 33.3))
        #expect(CRSReference.epsg4490.fromLonLat(BoundingBox(minX: 120.4, minY: 33.1, maxX: 120.5, maxY: 33.3), source: .cgcs2000) == [33.1, 120.4, 33.3, 120.5])
    }

    @Test func storageSystemsFollowTheLayerSRID() {
        #expect(CRSReference.storage(srid: 4490) == .epsg4490)
        #expect(CRSReference.storage(srid: 4326) == .epsg4326)
        #expect(CRSReference.storage(srid: 3857) == nil)
    }
}
