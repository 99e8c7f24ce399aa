import Foundation
import GeoCore
import GeoCrypto

/// The tamper evidence of the audit log: each line's hash is the SM3 of its position, the previous line's hash
/// and its fields, so changing, removing or reordering any line breaks every hash after it. Every backend stores
/// the hash this computes (the definition is here, once), and ``verify(_:)`` checks a chain from any of them.
public enum AuditChain {
    /// The "previous hash" of the first line.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of `entry` at position `id` after a line whose hash is `previous` (64 hex digits).
    ///
    /// The hashed bytes are a version tag and each field length-prefixed (4 bytes, big-endian; absent fields
    /// 0xFFFFFFFF), so no two different lines give the same input. The time counts whole microseconds.
    public static func hash(of entry: AuditEntry, id: Int64, previous: String) throws(GeoError) -> String {
        var bytes = Array("citygeo-audit-v1".utf8)
        func field(_ text: String?) {
            guard let text else {
                bytes += [0xFF, 0xFF, 0xFF, 0xFF]
                return
            }
            let utf8 = Array(text.utf8)
            bytes += withUnsafeBytes(of: UInt32(utf8.count).bigEndian, Array.init)
            bytes += utf8
        }
        field(String(id))
        field(previous)
        field(String(Int64((entry.time * 1_000_000).rounded())))
        field(entry.kind.rawValue)
        field(entry.keyId)
        field(entry.keyName)
        field(entry.method)
        field(entry.path)
        field(String(entry.status))
        field(entry.detail)
        field(entry.remoteAddress)
        return HexText.encode(try SM3.hash(bytes))
    }

    /// What a check of the chain found.
    public struct Report: Sendable, Hashable {
        /// Lines checked.
        public var checked: Int
        /// The hash of the last line: record it elsewhere (a ticket, a printed report) to detect later truncation.
        public var head: String
        /// The first line that does not fit, and why; nil when the whole chain holds.
        public var firstBroken: BrokenLine?
    }

    /// A line where the chain breaks.
    public struct BrokenLine: Sendable, Hashable {
        public var id: Int64
        public var reason: String
    }

    /// Walks the store's whole chain in pages and stops at the first line whose position or hash is wrong.
    public static func verify(_ store: any AccessStore, pageSize: Int = 5_000) async throws(GeoError) -> Report {
        var previous = genesis
        var expectedID: Int64 = 1
        var checked = 0
        while true {
            let page = try await store.auditChain(afterId: expectedID - 1, limit: pageSize)
            for line in page {
                guard line.id == expectedID else {
                    return Report(
                        checked: checked, head: previous,
                        firstBroken: BrokenLine(id: line.id, reason: "line \(expectedID) is missing before line \(line.id)"))
                }
                guard try hash(of: line.entry, id: line.id, previous: previous) == line.hash else {
                    return Report(
                        checked: checked, head: previous,
                        firstBroken: BrokenLine(id: line.id, reason: "its SM3 hash does not match its content and the line before it (changed, or the line before was)"))
                }
                previous = line.hash
                expectedID += 1
                checked += 1
            }
            if page.count < pageSize { return Report(checked: checked, head: previous, firstBroken: nil) }
        }
    }
}
