import GeoMacrosPlugin
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// The initialisers `@MemberwiseInit` writes, compared text for text, and the declarations it refuses.
@Suite struct MemberwiseInitMacroTests {
    private func expand(_ source: String, into expected: String, diagnostics: [DiagnosticSpec] = [],
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        assertMacroExpansion(
            source, expandedSource: expected, diagnostics: diagnostics,
            macroSpecs: ["MemberwiseInit": MacroSpec(type: MemberwiseInitMacro.self)],
            failureHandler: { Issue.record(Comment(rawValue: $0.message), sourceLocation: sourceLocation) })
    }

    @Test func publicStructGetsAPublicInitInDeclarationOrder() {
        expand("""
            @MemberwiseInit
            public struct Plate {
                public var road: String
                public let number: Int
            }
            """, into: """
            public struct Plate {
                public var road: String
                public let number: Int

                public init(road: String, number: Int) {
                    self.road = road
                    self.number = number
                }
            }
            """)
    }

    @Test func defaultsFollowTheCompilersMemberwiseRules() {
        // A var's initial value is its default, an optional var defaults to nil, an optional let does not, and a
        // let with a value, a static, a lazy and a computed property take no parameter.
        expand("""
            @MemberwiseInit
            struct Options {
                var zoom: Int = 14
                var note: String?
                let label: String?
                let kind = "grid"
                static var shared = 0
                lazy var cache: [Int] = []
                var twice: Int { zoom * 2 }
                var watched: Int { didSet { } }
            }
            """, into: """
            struct Options {
                var zoom: Int = 14
                var note: String?
                let label: String?
                let kind = "grid"
                static var shared = 0
                lazy var cache: [Int] = []
                var twice: Int { zoom * 2 }
                var watched: Int { didSet { } }

                init(zoom: Int = 14, note: String? = nil, label: String?, watched: Int) {
                    self.zoom = zoom
                    self.note = note
                    self.label = label
                    self.watched = watched
                }
            }
            """)
    }

    @Test func closuresAreTakenEscapingAndPackageAccessIsKept() {
        expand("""
            @MemberwiseInit
            package final class Hook {
                let onEvent: @Sendable (String) -> Void
                let filter: ((Int) -> Bool)?
                let format: ((Double) -> String)
            }
            """, into: """
            package final class Hook {
                let onEvent: @Sendable (String) -> Void
                let filter: ((Int) -> Bool)?
                let format: ((Double) -> String)

                package init(onEvent: @escaping @Sendable (String) -> Void, filter: ((Int) -> Bool)?, format: @escaping ((Double) -> String)) {
                    self.onEvent = onEvent
                    self.filter = filter
                    self.format = format
                }
            }
            """)
    }

    @Test func refusesAnEnumAndAnUntypedProperty() {
        expand("""
            @MemberwiseInit
            enum Level {
                case county
            }
            """, into: """
            enum Level {
                case county
            }
            """, diagnostics: [DiagnosticSpec(message: "@MemberwiseInit applies to a struct or a class", line: 1, column: 1)])
        expand("""
            @MemberwiseInit
            struct Untyped {
                var count = 0
            }
            """, into: """
            struct Untyped {
                var count = 0
            }
            """, diagnostics: [DiagnosticSpec(message: "@MemberwiseInit needs the type of 'count' written out", line: 1, column: 1)])
    }
}
