import Foundation

/// A coordinate reference system as OGC web APIs name it: by URI, with its axis order.
///
/// OGC API - Features Part 2 identifies systems by `http://www.opengis.net/def/crs/…` URIs and honours each
/// system's own axis order: OGC's CRS84 is longitude, latitude (the GeoJSON default), while EPSG:4326 and
/// EPSG:4490 (CGCS2000) are latitude, longitude. CityGeo stores and computes in longitude, latitude; a reference
/// converts from and to that order, and between datums through ``CRS`` (CGCS2000 and WGS 84 are the same to
/// well under a metre there).
public struct CRSReference: Hashable, Sendable {
    /// The URI clients name the system by.
    public let uri: String
    /// The datum behind it.
    public let crs: CRS
    /// Whether coordinates are written latitude first (the EPSG definitions of 4326 and 4490).
    public let latitudeFirst: Bool

    /// WGS 84 longitude, latitude: the default of OGC APIs and of GeoJSON.
    public static let crs84 = CRSReference(uri: "http://www.opengis.net/def/crs/OGC/1.3/CRS84", crs: .wgs84, latitudeFirst: false)
    /// CGCS2000 geographic, latitude first as EPSG defines it: the storage system of Chinese city platforms.
    public static let epsg4490 = CRSReference(uri: "http://www.opengis.net/def/crs/EPSG/0/4490", crs: .cgcs2000, latitudeFirst: true)
    /// WGS 84 geographic, latitude first as EPSG defines it.
    public static let epsg4326 = CRSReference(uri: "http://www.opengis.net/def/crs/EPSG/0/4326", crs: .wgs84, latitudeFirst: true)

    /// The systems answers can be written in, default first.
    public static let supported: [CRSReference] = [crs84, epsg4490, epsg4326]

    /// The reference of a layer stored with `srid` (4490 or 4326), or nil for any other SRID.
    public static func storage(srid: Int32) -> CRSReference? {
        switch srid {
        case 4490: epsg4490
        case 4326: epsg4326
        default: nil
        }
    }

    /// Reads a URI, a safe CURIE (`[EPSG:4490]`), a URN (`urn:ogc:def:crs:EPSG::4490`) or `EPSG:4490`; other
    /// systems and spellings are refused with `invalid_crs` naming `field` and listing what is supported.
    public static func parse(_ text: String, field: String) throws(GeoError) -> CRSReference {
        var key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if key.hasPrefix("https://") { key = "http://" + key.dropFirst(8) }
        if key.hasPrefix("[") && key.hasSuffix("]") { key = String(key.dropFirst().dropLast()) }
        let found: CRSReference? =
            switch key {
            case "http://www.opengis.net/def/crs/ogc/1.3/crs84", "urn:ogc:def:crs:ogc:1.3:crs84", "ogc:crs84", "crs84": crs84
            case "http://www.opengis.net/def/crs/epsg/0/4490", "urn:ogc:def:crs:epsg::4490", "epsg:4490": epsg4490
            case "http://www.opengis.net/def/crs/epsg/0/4326", "urn:ogc:def:crs:epsg::4326", "epsg:4326": epsg4326
            default: nil
            }
        guard let found else {
            throw GeoError(
                code: .invalidCRS,
                message: "\(field) \"\(text)\" is not a supported coordinate reference system; use one of "
                    + supported.map(\.uri).joined(separator: ", "),
                location: field)
        }
        return found
    }

    /// `geometry`, in longitude, latitude of `source`, written in this system's datum and axis order.
    public func fromLonLat(_ geometry: Geometry, source: CRS) -> Geometry {
        let converted = CRS.convert(geometry, from: source, to: crs)
        return latitudeFirst ? converted.mapCoordinates(Self.swapped) : converted
    }

    /// `geometry`, in this system, as longitude, latitude of `target`.
    public func toLonLat(_ geometry: Geometry, target: CRS) -> Geometry {
        let ordered = latitudeFirst ? geometry.mapCoordinates(Self.swapped) : geometry
        return CRS.convert(ordered, from: crs, to: target)
    }

    /// A box given in this system (`minX,minY,maxX,maxY` in its axis order) as longitudes and latitudes of
    /// `target`.
    public func toLonLat(_ box: BoundingBox, target: CRS) -> BoundingBox {
        let corners = [Coordinate(x: box.minX, y: box.minY), Coordinate(x: box.maxX, y: box.maxY)].map { corner in
            CRS.convert(latitudeFirst ? Self.swapped(corner) : corner, from: crs, to: target)
        }
        return BoundingBox(coordinates: corners) ?? box
    }

    /// A box of longitudes and latitudes of `source`, in this system's axis order.
    public func fromLonLat(_ box: BoundingBox, source: CRS) -> [Double] {
        let low = CRS.convert(Coordinate(x: box.minX, y: box.minY), from: source, to: crs)
        let high = CRS.convert(Coordinate(x: box.maxX, y: box.maxY), from: source, to: crs)
        return latitudeFirst ? [low.y, low.x, high.y, high.x] : [low.x, low.y, high.x, high.y]
    }

    private static func swapped(_ c: Coordinate) -> Coordinate { Coordinate(x: c.y, y: c.x) }
}
