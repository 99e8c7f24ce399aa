internal import CPROJ
import GeoCore

/// Owns one `PJ_CONTEXT` and keeps the last message PROJ logged on it.
///
/// A PROJ context is PROJ's unit of thread confinement (it holds the error state and the proj.db
/// connection), so each transformer or engine has its own and never lets it cross tasks.
final class PROJContext {
    let handle: OpaquePointer
    /// The last error-level message PROJ logged, e.g. "proj_create: crs not found".
    var lastMessage: String?

    init() throws {
        guard let handle = proj_context_create() else {
            throw GeoError(code: .projError, message: "proj_context_create failed")
        }
        self.handle = handle
        // Route PROJ's log into lastMessage instead of stderr; unretained is safe because the
        // context is destroyed in deinit, before self goes away.
        proj_log_func(handle, Unmanaged.passUnretained(self).toOpaque(), projLogger)
        proj_log_level(handle, PJ_LOG_ERROR)
    }

    deinit {
        proj_context_destroy(handle)
    }

    /// The error for a failed PROJ call: code `proj_error`, the PROJ errno text and log line as `underlying`.
    func error(_ message: String, pj: OpaquePointer? = nil) -> GeoError {
        var parts: [String] = []
        let errno = pj.map { proj_errno($0) } ?? proj_context_errno(handle)
        if errno != 0, let text = proj_context_errno_string(handle, errno) {
            parts.append(String(cString: text))
        }
        if let lastMessage, !parts.contains(lastMessage) { parts.append(lastMessage) }
        lastMessage = nil
        return GeoError(code: .projError, message: message, underlying: parts.isEmpty ? nil : parts.joined(separator: "; "))
    }
}

private let projLogger: PJ_LOG_FUNCTION = { appData, _, message in
    guard let appData, let message else { return }
    Unmanaged<PROJContext>.fromOpaque(appData).takeUnretainedValue().lastMessage = String(cString: message)
}

/// Owns one `PJ*` (a CRS or a coordinate operation) created in `context`.
@MemberwiseInit
final class PROJObject {
    let context: PROJContext
    let pointer: OpaquePointer

    deinit {
        proj_destroy(pointer)
    }

    /// Transforms coordinates in place with one `proj_trans_generic` call over the packed x/y doubles.
    /// Throws if PROJ reports an error or any output is not finite (PROJ writes HUGE_VAL on failure).
    func transform(_ coordinates: inout [Coordinate], inverse: Bool, what: String) throws {
        if coordinates.isEmpty { return }
        let count = coordinates.count
        let direction = inverse ? PJ_INV : PJ_FWD
        proj_errno_reset(pointer)
        if coordinateIsPackedXY {
            coordinates.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress!.assumingMemoryBound(to: Double.self)
                let stride = MemoryLayout<Coordinate>.stride
                _ = proj_trans_generic(
                    pointer, direction, base, stride, count, base + 1, stride, count, nil, 0, 0, nil, 0, 0)
            }
        } else {
            var xs = coordinates.map(\.x), ys = coordinates.map(\.y)
            let stride = MemoryLayout<Double>.stride
            xs.withUnsafeMutableBufferPointer { x in
                ys.withUnsafeMutableBufferPointer { y in
                    _ = proj_trans_generic(
                        pointer, direction, x.baseAddress, stride, count, y.baseAddress, stride, count,
                        nil, 0, 0, nil, 0, 0)
                }
            }
            for i in 0..<count { coordinates[i] = Coordinate(x: xs[i], y: ys[i]) }
        }
        if proj_errno(pointer) != 0 {
            throw context.error("PROJ could not transform \(what)", pj: pointer)
        }
        if let bad = coordinates.firstIndex(where: { !$0.isFinite }) {
            throw GeoError(
                code: .projError, message: "PROJ could not transform \(what): position \(bad) is outside the domain of the operation")
        }
    }
}
