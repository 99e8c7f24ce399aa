/// Adds the memberwise initialiser of a struct or final class, with the type's access (`public` for a public type),
/// which Swift synthesises only as `internal`: one parameter per stored property in declaration order, a `var`'s
/// initial value as its default, `nil` for an optional `var` without one, `@escaping` for closures. Written once
/// here instead of by hand on every public value type (GeoMacrosPlugin's `MemberwiseInitMacro` has the rules).
@attached(member, names: named(init))
public macro MemberwiseInit() = #externalMacro(module: "GeoMacrosPlugin", type: "MemberwiseInitMacro")
