import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// Writes the memberwise initialiser of a struct or final class: one parameter per stored property, in declaration
/// order, assigned as is. Swift synthesises this initialiser only as `internal`, so every public value type of the
/// library would otherwise spell it out by hand; this macro is the one place it is written.
///
/// The rules are the compiler's own for its implicit memberwise initialiser, with the access of the type:
/// - a `var` with an initial value gives its parameter that value as default; an optional `var` without one
///   defaults to `nil`;
/// - a `let` with an initial value, a `static` or `lazy` property and a computed property take no parameter;
/// - a stored property of function type is taken `@escaping`;
/// - the initialiser is `public` or `package` when the type is, else internal.
public struct MemberwiseInitMacro: MemberMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard declaration.is(StructDeclSyntax.self) || declaration.is(ClassDeclSyntax.self) else {
            throw MemberwiseInitError.notAStructOrClass
        }
        var parameters: [String] = []
        var assignments: [String] = []
        for member in declaration.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            for stored in try storedProperties(of: variable) {
                parameters.append(stored.parameter)
                assignments.append("self.\(stored.name) = \(stored.name)")
            }
        }
        let access = accessKeyword(of: declaration).map { "\($0) " } ?? ""
        let body = assignments.map { "    \($0)" }.joined(separator: "\n")
        return ["\(raw: access)init(\(raw: parameters.joined(separator: ", "))) {\n\(raw: body)\n}"]
    }

    /// The name and initialiser parameter of each property `variable` declares that the initialiser must set.
    private static func storedProperties(of variable: VariableDeclSyntax) throws -> [(name: String, parameter: String)] {
        let modifiers = Set(variable.modifiers.map(\.name.text))
        if modifiers.contains("static") || modifiers.contains("class") || modifiers.contains("lazy") { return [] }
        let isLet = variable.bindingSpecifier.tokenKind == .keyword(.let)
        var result: [(name: String, parameter: String)] = []
        for binding in variable.bindings {
            if let accessors = binding.accessorBlock, isComputed(accessors) { continue }
            guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self) else {
                throw MemberwiseInitError.unsupportedPattern(binding.pattern.trimmedDescription)
            }
            let name = identifier.identifier.trimmedDescription
            if isLet && binding.initializer != nil { continue }
            guard let type = binding.typeAnnotation?.type else {
                throw MemberwiseInitError.missingType(name)
            }
            var parameter = "\(name): \(isEscapingNeeded(type) ? "@escaping " : "")\(type.trimmedDescription)"
            if let initial = binding.initializer {
                parameter += " = \(initial.value.trimmedDescription)"
            } else if !isLet && isOptional(type) {
                parameter += " = nil"
            }
            result.append((name, parameter))
        }
        return result
    }

    /// Observers (`willSet`, `didSet`) keep a property stored; getters and setters make it computed.
    private static func isComputed(_ accessors: AccessorBlockSyntax) -> Bool {
        switch accessors.accessors {
        case .getter: return true
        case .accessors(let list):
            return list.contains { !["willSet", "didSet"].contains($0.accessorSpecifier.text) }
        }
    }

    /// A function type, also written `@Sendable (…) -> …` or in parentheses; an optional one is escaping already.
    private static func isEscapingNeeded(_ type: TypeSyntax) -> Bool {
        if type.is(FunctionTypeSyntax.self) { return true }
        if let attributed = type.as(AttributedTypeSyntax.self) { return isEscapingNeeded(attributed.baseType) }
        if let tuple = type.as(TupleTypeSyntax.self), tuple.elements.count == 1, let only = tuple.elements.first,
           only.firstName == nil {
            return isEscapingNeeded(only.type)
        }
        return false
    }

    private static func isOptional(_ type: TypeSyntax) -> Bool {
        type.is(OptionalTypeSyntax.self) || type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self)
    }

    private static func accessKeyword(of declaration: some DeclGroupSyntax) -> String? {
        declaration.modifiers.map(\.name.text).first { $0 == "public" || $0 == "package" || $0 == "open" }
            .map { $0 == "open" ? "public" : $0 }
    }
}

/// Why `@MemberwiseInit` cannot write an initialiser for a declaration.
enum MemberwiseInitError: Error, CustomStringConvertible {
    case notAStructOrClass
    case unsupportedPattern(String)
    case missingType(String)

    var description: String {
        switch self {
        case .notAStructOrClass: return "@MemberwiseInit applies to a struct or a class"
        case .unsupportedPattern(let pattern):
            return "@MemberwiseInit cannot take the property pattern '\(pattern)'; declare one name per property"
        case .missingType(let name):
            return "@MemberwiseInit needs the type of '\(name)' written out"
        }
    }
}
