import GeoCore
import GeoEngine

extension Fence {
    /// Checks an area fence's polygons with GEOS: a self-intersecting ring (a bow-tie drawn by hand) would give
    /// even-odd answers nobody meant, so it is refused with GEOS's reason and where it happens.
    ///
    /// Creates its own `GeometryEngine` (a GEOS context) for the call: engines are not Sendable and this may run
    /// on any task.
    public func validateShape() throws(GeoError) {
        guard kind == .area else { return }
        let report: ValidityReport
        do {
            report = try GeometryEngine().validate(geometry)
        } catch let error as GeoError {
            throw error
        } catch {
            throw GeoError(code: .geosError, message: "cannot check fence \(id)", underlying: "\(error)")
        }
        guard report.isValid else {
            let at = report.location.map { " at (\($0.x), \($0.y))" } ?? ""
            throw GeoError(
                code: .invalidFence, message: "fence \(id): the polygon is not valid: \(report.reason ?? "invalid")\(at)",
                location: "geometry")
        }
    }
}
