import ArgumentParser
import Foundation
import GeoCore
import GeoStore

/// `citygeo audit verify`: checks the audit log's SM3 chain line by line.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the tamper-evident audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the SM3 chain of the audit log and name the first line that does not fit.",
            discussion: """
                Exits 0 when every line fits, 1 when the chain is broken. Prints the head hash: keep it elsewhere (a \
                ticket, a printed report); a later head that does not continue from it shows lines removed at the end.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "A head hash recorded earlier: fail unless the chain still passes through it.") var expectHead: String?

        func run() async throws {
            let store = try await database.open()
            let report = try await AuditChain.verify(store)
            var failed = report.firstBroken != nil
            if let broken = report.firstBroken {
                print("audit chain BROKEN at line \(broken.id): \(broken.reason)")
                print("lines 1-\(broken.id - 1) check out (\(report.checked) lines)")
            } else {
                print("audit chain intact: \(report.checked) lines, head \(report.head)")
            }
            if let expectHead, !failed {
                let passes = try await Self.chainPassesThrough(expectHead.lowercased(), store: store)
                if !passes {
                    print("the recorded head \(expectHead) is not a line of the chain: lines were removed or replaced")
                    failed = true
                }
            }
            await recordCommandLineWrite(
                store, command: "citygeo audit verify",
                detail: failed ? "chain broken" : "chain intact, \(report.checked) lines, head \(report.head)", kind: .system)
            if failed { throw ExitCode(1) }
        }

        /// Whether some line of the chain has `head` as its hash.
        static func chainPassesThrough(_ head: String, store: any CityStore) async throws -> Bool {
            var after: Int64 = 0
            while true {
                let page = try await store.auditChain(afterId: after, limit: 5_000)
                if page.contains(where: { $0.hash == head }) { return true }
                guard let last = page.last, page.count == 5_000 else { return false }
                after = last.id
            }
        }
    }
}
