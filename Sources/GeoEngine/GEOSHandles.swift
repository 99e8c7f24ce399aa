internal import CGEOS
import GeoCore

/// Collects the messages GEOS reports through its context handlers.
///
/// GEOS signals failure by a sentinel return value (NULL, 0 or 2) and sends the reason as text to the
/// context's error handler; we keep the last message so that the caller who saw the sentinel can put it
/// into `GeoError.underlying`.
final class GEOSMessageSink {
    var lastError: String?
    var lastNotice: String?

    /// Returns and clears the last error message.
    func takeError() -> String? {
        defer { lastError = nil }
        return lastError
    }
}

/// The C callbacks cannot capture Swift state, so the sink travels through GEOS's `userdata` pointer.
private let geosErrorHandler: GEOSMessageHandler_r = { message, userdata in
    guard let userdata else { return }
    let sink = Unmanaged<GEOSMessageSink>.fromOpaque(userdata).takeUnretainedValue()
    sink.lastError = message.map { String(cString: $0) }
}

private let geosNoticeHandler: GEOSMessageHandler_r = { message, userdata in
    guard let userdata else { return }
    let sink = Unmanaged<GEOSMessageSink>.fromOpaque(userdata).takeUnretainedValue()
    sink.lastNotice = message.map { String(cString: $0) }
}

/// Owns one `GEOSContextHandle_t`; the only place that calls `GEOS_init_r` and `GEOS_finish_r`.
///
/// Geometries created in a context must be destroyed in that same context, so every geometry owner keeps
/// a strong reference to this object: the context outlives all its geometries.
final class GEOSContext {
    let handle: GEOSContextHandle_t
    let sink = GEOSMessageSink()

    init() throws {
        guard let handle = GEOS_init_r() else {
            throw GeoError(code: .geosError, message: "GEOS_init_r failed to create a GEOS context")
        }
        self.handle = handle
        // Unretained is safe: the sink is a stored property of self, which outlives the handle
        // (the handle is finished in deinit, before the sink is released).
        let userdata = Unmanaged.passUnretained(sink).toOpaque()
        _ = GEOSContext_setErrorMessageHandler_r(handle, geosErrorHandler, userdata)
        _ = GEOSContext_setNoticeMessageHandler_r(handle, geosNoticeHandler, userdata)
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// The error for a failed GEOS call: code `geos_error`, the GEOS message as `underlying`.
    func error(_ operation: String) -> GeoError {
        let detail = sink.takeError()
        return GeoError(
            code: .geosError,
            message: "GEOS \(operation) failed" + (detail.map { ": \($0)" } ?? ""),
            underlying: detail)
    }

    /// Interprets a GEOS predicate result (1 true, 0 false, 2 exception).
    func predicate(_ result: CChar, _ operation: String) throws -> Bool {
        switch result {
        case 1: return true
        case 0: return false
        default: throw error(operation)
        }
    }

    /// Checks an `int` status where 0 means an exception.
    func check(_ status: Int32, _ operation: String) throws {
        if status == 0 { throw error(operation) }
    }

    /// Takes ownership of a freshly created geometry, or throws the GEOS error if creation failed.
    func own(_ pointer: OpaquePointer?, _ operation: String) throws -> GEOSGeometryOwner {
        guard let pointer else { throw error(operation) }
        return GEOSGeometryOwner(context: self, pointer: pointer)
    }
}

/// Owns one `GEOSGeometry*` and destroys it (in its own context) in deinit.
final class GEOSGeometryOwner {
    let context: GEOSContext
    let pointer: OpaquePointer
    private var released = false

    init(context: GEOSContext, pointer: OpaquePointer) {
        self.context = context
        self.pointer = pointer
    }

    deinit {
        if !released { GEOSGeom_destroy_r(context.handle, pointer) }
    }

    /// Hands the pointer to a GEOS call that takes ownership of it (collection and polygon constructors,
    /// which free their inputs even when they fail). The owner must not be used afterwards.
    func release() -> OpaquePointer {
        released = true
        return pointer
    }
}
