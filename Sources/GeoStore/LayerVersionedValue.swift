import GeoCore
import Synchronization

/// A value built from store layers (a grid locator, a geocoder, a point index, a census report), rebuilt when one
/// of those layers' catalogue `version` changes: the one home of "rebuild when the layer changes".
///
/// The catalogue is read at most once per `checkInterval`, by one caller; every other caller meanwhile gets the
/// current value under a lock without waiting, so a hundred concurrent requests never queue behind one another
/// (an actor here was once the server's bottleneck). The first value is built on first use (or by ``prime()``);
/// callers arriving while it is built wait for that one build. A failed check or build leaves the last good
/// value in place and is thrown to the caller that ran it, and the next caller tries again.
public final class LayerVersionedValue<Value: Sendable>: Sendable {
    private struct Built {
        var value: Value
        var versions: [String: Int64]
    }

    private struct State {
        var current: Built?
        var lastCheck: ContinuousClock.Instant?
        var check: Task<Built, any Error>?
    }

    /// What a caller of ``value`` does: take the current value, or wait for the check under way.
    private enum Step {
        case ready(Value)
        case wait(Task<Built, any Error>)
    }

    private let state = Mutex(State())
    private let store: any FeatureStore
    /// The layers the value is built from.
    public let layerNames: [String]
    /// Further layers, named by the data itself (the polygon families a registry layer lists), read at each check.
    private let namedLayers: (@Sendable (any FeatureStore) async throws -> [String])?
    private let checkInterval: Duration
    private let build: @Sendable (any FeatureStore) async throws -> Value

    /// A value of `layerNames`, made by `build`, checked at most once per `checkInterval`.
    public convenience init(
        store: any FeatureStore, layerNames: [String], checkInterval: Duration,
        build: @escaping @Sendable (any FeatureStore) async throws -> Value
    ) {
        self.init(store: store, layerNames: layerNames, alsoWatching: nil, checkInterval: checkInterval, build: build)
    }

    /// A value of `layerNames` and of the layers `alsoWatching` names at each check (the families a registry layer
    /// lists: when the registry changes, so does the set watched), made by `build`.
    public init(
        store: any FeatureStore, layerNames: [String], alsoWatching: (@Sendable (any FeatureStore) async throws -> [String])?,
        checkInterval: Duration, build: @escaping @Sendable (any FeatureStore) async throws -> Value
    ) {
        self.store = store
        self.layerNames = layerNames
        self.namedLayers = alsoWatching
        self.checkInterval = checkInterval
        self.build = build
    }

    /// Builds the first value now (a server at start-up, so that the first request does not pay for it).
    @discardableResult
    public func prime() async throws -> Value { try await value }

    /// The value; the caller that finds the check interval over first rebuilds it if a layer changed.
    public var value: Value {
        get async throws {
            let step = state.withLock { state -> Step in
                if let current = state.current {
                    if state.check != nil { return .ready(current.value) }
                    let now = ContinuousClock.now
                    if let last = state.lastCheck, now - last < checkInterval { return .ready(current.value) }
                }
                if let check = state.check { return .wait(check) }
                state.lastCheck = .now
                let known = state.current
                let check = Task { try await self.checked(known) }
                state.check = check
                return .wait(check)
            }
            switch step {
            case .ready(let value): return value
            case .wait(let check): return try await check.value.value
            }
        }
    }

    /// Makes the next caller check the catalogue whatever the interval, and starts that check now, so that a
    /// change another process reported (the store's change feed) is taken in without waiting for a request. The
    /// current value stays in use until the check has finished.
    public func invalidate() {
        state.withLock { $0.lastCheck = nil }
        Task { _ = try? await self.value }
    }

    /// The value after a check of the catalogue made now: for a caller that has just changed a layer and must answer
    /// from the change (a check already under way may have read the catalogue before it, so it is let finish first).
    public func refreshed() async throws -> Value {
        if let running = state.withLock({ $0.check }) { _ = try? await running.value }
        state.withLock { $0.lastCheck = nil }
        return try await value
    }

    /// The value without waiting, or nil when there is none yet or the check interval is over and the caller must
    /// take ``value`` (which reads the catalogue) instead. For answers given where one cannot await.
    public var valueIfChecked: Value? {
        state.withLock { state in
            guard let current = state.current, state.check == nil, let last = state.lastCheck,
                ContinuousClock.now - last < checkInterval
            else { return nil }
            return current.value
        }
    }

    /// Reads the versions and rebuilds when they moved from `known`'s; stores and answers the result.
    private func checked(_ known: Built?) async throws -> Built {
        do {
            let names = layerNames + (try await namedLayers?(store) ?? [])
            let versions = try await Self.versions(of: names, in: store)
            let result: Built
            if let known, known.versions == versions {
                result = known
            } else {
                result = Built(value: try await build(store), versions: versions)
            }
            state.withLock {
                $0.current = result
                $0.check = nil
            }
            return result
        } catch {
            state.withLock { $0.check = nil }
            throw error
        }
    }

    private static func versions(of names: [String], in store: any FeatureStore) async throws(GeoError) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for name in names { result[name] = try await store.layerVersion(named: name) }
        return result
    }
}

/// ``LayerVersionedValue``s keyed by a layer name, made on first use: point indexes and case indexes of whatever
/// layer a request names.
public final class LayerVersionedValues<Value: Sendable>: Sendable {
    private let values = Mutex([String: LayerVersionedValue<Value>]())
    private let store: any FeatureStore
    private let checkInterval: Duration
    private let alsoWatching: [String]
    private let build: @Sendable (any FeatureStore, String) async throws -> Value

    /// Values of single layers, made by `build(store, layer)`; each is also rebuilt when a layer of `alsoWatching`
    /// changes (the unit grids a case index attributes its cases to, say).
    public init(
        store: any FeatureStore, checkInterval: Duration, alsoWatching: [String] = [],
        build: @escaping @Sendable (any FeatureStore, String) async throws -> Value
    ) {
        self.store = store
        self.checkInterval = checkInterval
        self.alsoWatching = alsoWatching
        self.build = build
    }

    /// Invalidates the values built from `layer` (its own, or every one when it is a layer they all watch).
    public func invalidate(layer: String) {
        let affected = values.withLock { values in
            alsoWatching.contains(layer) ? Array(values.values) : values[layer].map { [$0] } ?? []
        }
        for value in affected { value.invalidate() }
    }

    /// The value of `layer`, built or rebuilt as ``LayerVersionedValue/value`` says. A layer that is not there
    /// (`layer_not_found` from the build) leaves no entry behind, so names that never were layers cost no memory.
    public func value(of layer: String) async throws -> Value {
        let entry = values.withLock { values in
            if let entry = values[layer] { return entry }
            let build = self.build
            let entry = LayerVersionedValue(store: store, layerNames: [layer] + alsoWatching, checkInterval: checkInterval) { store in
                try await build(store, layer)
            }
            values[layer] = entry
            return entry
        }
        do {
            return try await entry.value
        } catch let error as GeoError where error.code == .layerNotFound {
            values.withLock { if $0[layer] === entry { $0[layer] = nil } }
            throw error
        }
    }
}
