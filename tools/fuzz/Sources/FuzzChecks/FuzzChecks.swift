import CLibFuzzer
import GeoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Invariants the fuzz targets check beyond "does not crash". A broken invariant aborts the process, which
/// libFuzzer records as a crash and saves the input that caused it.
public enum FuzzCheck {
    /// Stops the run with `message` on stderr when `condition` is false.
    public static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        guard !condition() else { return }
        // Straight to file descriptor 2: print buffers stdout, and abort would lose the buffer.
        let line = Array("fuzz invariant broken: \(message())\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }

    /// Geometry equality for round trips: the empty point (NaN NaN) equals itself and -0 equals 0, because WKT,
    /// like GEOS, prints -0 as 0. Equal WKB bytes of the normalised geometries mean equal type, structure and
    /// ordinates; WKB writes every NaN as one bit pattern.
    public static func sameGeometry(_ a: Geometry, _ b: Geometry) -> Bool {
        func normalised(_ g: Geometry) -> [UInt8] {
            WKB.encode(g.mapCoordinates { Coordinate(x: $0.x == 0 ? 0 : $0.x, y: $0.y == 0 ? 0 : $0.y) })
        }
        return normalised(a) == normalised(b)
    }

    /// Feature collection equality with geometries compared by ``sameGeometry(_:_:)``.
    public static func sameFeatures(_ a: FeatureCollection, _ b: FeatureCollection) -> Bool {
        a.features.count == b.features.count && zip(a.features, b.features).allSatisfy { x, y in
            guard x.id == y.id && x.properties == y.properties else { return false }
            switch (x.geometry, y.geometry) {
            case (nil, nil): return true
            case (let g?, let h?): return sameGeometry(g, h)
            default: return false
            }
        }
    }

    /// Whether every coordinate is finite, counting the empty point (NaN NaN) where a point may stand
    /// (a Point or a MultiPoint member) as finite: it is how every codec spells `POINT EMPTY`.
    public static func hasOnlyFiniteCoordinates(_ geometry: Geometry) -> Bool {
        switch geometry {
        case .point(let p): return p.isEmpty || p.coordinate.isFinite
        case .multiPoint(let m): return m.points.allSatisfy { Point($0).isEmpty || $0.isFinite }
        case .geometryCollection(let g): return g.geometries.allSatisfy(hasOnlyFiniteCoordinates)
        default:
            var finite = true
            geometry.forEachCoordinate { if !$0.isFinite { finite = false } }
            return finite
        }
    }

    /// Whether `geometry` has a point or multipoint member that is the empty point, which GeoJSON cannot write
    /// inside a MultiPoint.
    public static func hasEmptyMultiPointMember(_ geometry: Geometry) -> Bool {
        switch geometry {
        case .multiPoint(let m): return m.points.contains { Point($0).isEmpty }
        case .geometryCollection(let g): return g.geometries.contains(where: hasEmptyMultiPointMember)
        default: return false
        }
    }

    /// Checks that `geometry` survives WKB and WKT (with `srid`) and, when `viaGeoJSON`, GeoJSON unchanged.
    /// `source` names the codec it came from, for the message.
    public static func requireRoundTrips(_ geometry: Geometry, srid: Int32?, source: String, viaGeoJSON: Bool = true) {
        let wkb = WKB.encode(geometry, srid: srid)
        do {
            let back = try WKB.decodeWithSRID(wkb)
            require(back.srid == srid && sameGeometry(back.geometry, geometry),
                    "\(source) → WKB → geometry changed: \(WKT.encode(geometry)) became \(WKT.encode(back.geometry))")
        } catch {
            require(false, "\(source) → WKB does not read back: \(error); geometry \(WKT.encode(geometry))")
        }
        let wkt = WKT.encode(geometry, srid: srid)
        do {
            let back = try WKT.decodeWithSRID(wkt)
            require(back.srid == srid && sameGeometry(back.geometry, geometry), "\(source) → WKT → geometry changed: \(wkt) became \(WKT.encode(back.geometry))")
        } catch {
            require(false, "\(source) → WKT does not read back: \(error); text \(wkt)")
        }
        guard viaGeoJSON, !hasEmptyMultiPointMember(geometry) else { return }
        do {
            let json = try GeoJSON.encodeBytes(geometry)
            let back = try GeoJSON.decodeGeometry(json, options: .projected)
            require(sameGeometry(back, geometry), "\(source) → GeoJSON → geometry changed: \(String(decoding: json, as: UTF8.self))")
        } catch {
            require(false, "\(source) → GeoJSON fails: \(error); geometry \(WKT.encode(geometry))")
        }
    }
}

/// Starts libFuzzer on one target's input callback, with the process's command line as libFuzzer flags.
public enum FuzzDriver {
    public static func run(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }
}
