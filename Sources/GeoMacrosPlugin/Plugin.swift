import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that carries CityGeo's macros; their declarations are in GeoCore.
@main
struct GeoMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = [MemberwiseInitMacro.self]
}
