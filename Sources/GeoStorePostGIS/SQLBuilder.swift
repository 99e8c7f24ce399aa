internal import PostgresNIO

/// SQL text with numbered parameters, for statements whose clauses depend on the arguments (filters, optional
/// boxes): each ``bind(_:)`` appends a value and returns its placeholder (`$3`). Values never enter the text.
struct SQLBuilder {
    var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) {
        self.sql = sql
    }

    /// Appends `value` (NULL when nil) and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
