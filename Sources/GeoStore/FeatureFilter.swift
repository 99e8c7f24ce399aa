import Foundation
import GeoCore

/// What the features of a page must satisfy: a bounding box (answered by the spatial index), property values, a
/// time interval on a time property and a caller's own test (such as a key's regions), all at once.
@MemberwiseInit
public struct FeatureFilter: Sendable {
    /// Features whose bounding box intersects this box (longitude, latitude of the layer).
    public var bbox: BoundingBox?
    /// Property name → the value it must have, compared as text, or as numbers when both sides are numbers (so
    /// `10` matches `10.0`). A feature without the property fails.
    public var properties: [String: String] = [:]
    /// A time property and the interval its value must lie in.
    public var time: TimeRange?
    /// A last test, run on features that passed the others.
    public var accepts: (@Sendable (Feature) -> Bool)?

    /// A closed interval on the value of `field` (any form ``TimeText`` reads), open at a nil end. A feature whose
    /// field is missing or unreadable fails.
    @MemberwiseInit
    public struct TimeRange: Hashable, Sendable {
        public var field: String
        /// Seconds since 1970, inclusive; nil for no lower bound.
        public var from: Double?
        /// Seconds since 1970, inclusive; nil for no upper bound.
        public var to: Double?
    }

    /// Whether only the bounding box filters, so that the store answers the page and its count directly.
    public var isBoundingBoxOnly: Bool { properties.isEmpty && time == nil && accepts == nil }

    /// Whether `feature` passes the property, time and caller tests (the bounding box is the store's).
    public func passes(_ feature: Feature) -> Bool {
        for (name, wanted) in properties {
            guard let value = feature.properties[name]?.scalarText, Self.equal(value, wanted) else { return false }
        }
        if let time {
            guard let text = feature.properties[time.field]?.scalarText, let seconds = try? TimeText.seconds(text) else { return false }
            if let from = time.from, seconds < from { return false }
            if let to = time.to, seconds > to { return false }
        }
        return accepts?(feature) ?? true
    }

    private static func equal(_ value: String, _ wanted: String) -> Bool {
        if value == wanted { return true }
        guard let a = Double(value), let b = Double(wanted) else { return false }
        return a == b
    }
}

/// A page of a filtered layer.
public struct FeaturePage: Sendable {
    /// The features, in `fid` order.
    public var features: [StoredFeature]
    /// Whether features passing the filter follow the page.
    public var hasMore: Bool
    /// How many features pass the filter in all, when it is known without a second pass (always for a bounding
    /// box alone; for other filters when the page reached the end of the layer).
    public var numberMatched: Int?
}

extension FeatureStore {
    /// The features of `layer` that pass `filter`, in `fid` order, skipping the first `offset` of those that pass.
    ///
    /// A bounding box alone is answered by the store's index and count; other filters read the layer in
    /// `fid` order in chunks of `scanChunk` (keyset paging: each row read once) and test each feature, so a deep page
    /// costs a scan of what precedes it.
    /// `countingMatches` false spares the bounding-box count when the caller has no use for it.
    public func features(
        in layer: String, matching filter: FeatureFilter, limit: Int, offset: Int, countingMatches: Bool = true, scanChunk: Int = 2_000
    ) async throws(GeoError) -> FeaturePage {
        guard limit >= 0, offset >= 0 else {
            throw GeoError(code: .invalidArgument, message: "limit and offset must not be negative")
        }
        if filter.isBoundingBoxOnly {
            let page = try await features(in: layer, bbox: filter.bbox, limit: limit + 1, offset: offset)
            let total = countingMatches ? try await featureCount(in: layer, bbox: filter.bbox) : nil
            return FeaturePage(features: Array(page.prefix(limit)), hasMore: page.count > limit, numberMatched: total)
        }
        var matched = 0
        var kept: [StoredFeature] = []
        var lastFid: Int64 = .min
        while true {
            let chunk = try await features(in: layer, bbox: filter.bbox, afterFid: lastFid, limit: scanChunk)
            for stored in chunk where filter.passes(stored.feature) {
                if matched >= offset + limit { return FeaturePage(features: kept, hasMore: true, numberMatched: nil) }
                if matched >= offset { kept.append(stored) }
                matched += 1
            }
            try GeoError.throwIfCancelled()
            guard chunk.count == scanChunk, let last = chunk.last else {
                return FeaturePage(features: kept, hasMore: false, numberMatched: matched)
            }
            lastFid = last.fid
        }
    }
}
