/// What a name in the index points at.
enum NameTarget: Hashable, Sendable {
    /// A national division (province, prefecture, county, township) by index in ``AdminDivisions``.
    case division(Int32)
    /// A region of the address book (district, street, community, village, unit grid).
    case region(Int32)
    case road(Int32)
    case place(Int32)
    case poi(Int32)
}

/// How a name relates to what it names; scoring prefers the official name.
enum NameForm: UInt8, Sendable, Comparable {
    case official, alias, shortForm, former
    static func < (a: NameForm, b: NameForm) -> Bool { a.rawValue < b.rawValue }
}

struct NameEntry: Hashable, Sendable {
    var target: NameTarget
    var form: NameForm
}

/// A hash map from UInt64 keys for the name indexes, which the parser probes at every position of every query.
/// Swift's `Dictionary` hashes each key with seeded SipHash, which guards keys a client chooses against
/// collision attacks; these keys are built from the address book, and a multiplicative hash with linear probing
/// is several times cheaper. Lookups of a client's text only probe.
struct UInt64Map<Value: Sendable>: Sendable {
    private var keys: [UInt64]
    private var values: [Value?]
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = Array(repeating: 0, count: 16)
        values = Array(repeating: nil, count: 16)
        mask = 15
    }

    /// The slot of `key`, or of the empty slot where it would go.
    private func slot(_ key: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while values[i] != nil, keys[i] != key { i = (i + 1) & mask }
        return i
    }

    subscript(key: UInt64) -> Value? { values[slot(key)] }

    /// Changes the value of `key` in place, starting from `initial` when absent.
    mutating func update(_ key: UInt64, initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        if (count + 1) * 2 > keys.count { grow() }
        let i = slot(key)
        if values[i] == nil {
            keys[i] = key
            count += 1
            var value = initial()
            change(&value)
            values[i] = value
        } else {
            change(&values[i]!)
        }
    }

    /// Calls `body` with every key and value, in no particular order.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for (key, value) in zip(keys, values) { if let value { body(key, value) } }
    }

    /// Sets the value of `key`.
    mutating func set(_ key: UInt64, _ value: Value) { update(key, initial: value) { $0 = value } }

    private mutating func grow() {
        let old = zip(keys, values)
        keys = Array(repeating: 0, count: keys.count * 2)
        values = Array(repeating: nil, count: keys.count)
        mask = keys.count - 1
        for (key, value) in old {
            guard let value else { continue }
            let i = slot(key)
            keys[i] = key
            values[i] = value
        }
    }
}

/// A trie over Unicode scalars stored as one hash table of edges, so that building it for the 40,000 national
/// division names costs a few megabytes rather than a dictionary per node. Walking it from each position of a
/// query finds every known name starting there in one pass.
struct ScalarTrie: Sendable {
    private var edges = UInt64Map<Int32>()
    private var terminals: [Int32: [NameEntry]] = [:]
    private var nodeCount: Int32 = 1

    private static func key(_ node: Int32, _ scalar: Unicode.Scalar) -> UInt64 { UInt64(UInt32(node)) << 32 | UInt64(scalar.value) }

    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry) {
        guard !name.isEmpty else { return }
        var node: Int32 = 0
        for s in name {
            let k = Self.key(node, s)
            if let next = edges[k] {
                node = next
            } else {
                edges.set(k, nodeCount)
                node = nodeCount
                nodeCount += 1
            }
        }
        if !(terminals[node]?.contains(entry) ?? false) { terminals[node, default: []].append(entry) }
    }

    /// Every name that starts at `start` in `text`, shortest first, as (length, entries).
    func prefixes(of text: [Unicode.Scalar], from start: Int) -> [(length: Int, entries: [NameEntry])] {
        var found: [(Int, [NameEntry])] = []
        var node: Int32 = 0
        var i = start
        while i < text.count, let next = edges[Self.key(node, text[i])] {
            node = next
            i += 1
            if let entries = terminals[node] { found.append((i - start, entries)) }
        }
        return found
    }

    /// The entries of exactly `name`.
    func entries(of name: [Unicode.Scalar]) -> [NameEntry] {
        var node: Int32 = 0
        for s in name {
            guard let next = edges[Self.key(node, s)] else { return [] }
            node = next
        }
        return terminals[node] ?? []
    }

    /// Every entry under names starting with `prefix` (for autocomplete), at most `limit` names visited.
    func completions(of prefix: [Unicode.Scalar], limit: Int, childrenOf: [Int32: [(Unicode.Scalar, Int32)]]) -> [([Unicode.Scalar], [NameEntry])] {
        var node: Int32 = 0
        for s in prefix {
            guard let next = edges[Self.key(node, s)] else { return [] }
            node = next
        }
        var out: [([Unicode.Scalar], [NameEntry])] = []
        // Breadth first, so shorter completions come first.
        var queue: [(Int32, [Unicode.Scalar])] = [(node, prefix)]
        var head = 0
        while head < queue.count && out.count < limit {
            let (n, text) = queue[head]
            head += 1
            if let entries = terminals[n] { out.append((text, entries)) }
            for (s, child) in childrenOf[n] ?? [] { queue.append((child, text + [s])) }
        }
        return out
    }

    /// The child lists of every node, sorted by scalar (built once for autocomplete).
    func childLists() -> [Int32: [(Unicode.Scalar, Int32)]] {
        var lists: [Int32: [(Unicode.Scalar, Int32)]] = [:]
        edges.forEach { k, child in
            let parent = Int32(truncatingIfNeeded: k >> 32)
            lists[parent, default: []].append((Unicode.Scalar(UInt32(k & 0xFFFF_FFFF))!, child))
        }
        for key in lists.keys { lists[key]!.sort { $0.0.value < $1.0.value } }
        return lists
    }
}

/// The distinct names a lookup index holds, each with every entry filed under it, by dense id: what the near-miss
/// and homophone indexes keep beside their keys.
struct NameTable: Sendable {
    private(set) var names: [[Unicode.Scalar]] = []
    private(set) var entries: [[NameEntry]] = []
    private var ids: [String: Int32] = [:]

    var isEmpty: Bool { names.isEmpty }

    /// Files `entry` under `name`; the new id when the name is new, nil when it was held already.
    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry) -> Int32? {
        let whole = String(scalars: name)
        if let id = ids[whole] {
            if !entries[Int(id)].contains(entry) { entries[Int(id)].append(entry) }
            return nil
        }
        let id = Int32(names.count)
        ids[whole] = id
        names.append(name)
        entries.append([entry])
        return id
    }

    /// The best form among a name's entries (official before alias …), for ranking candidates.
    func bestForm(_ id: Int32) -> UInt8 { entries[Int(id)].map(\.form.rawValue).min() ?? 0 }
}

/// Near-miss lookup: names within one edit (a wrong, missing or extra character, or two swapped neighbours)
/// of a query, through a table of every name with one character deleted (the symmetric-deletion method).
///
/// The table is keyed by a polynomial hash of the characters rather than by strings: the parser looks up every
/// sub-run of text it could not place, and a query's deletion keys then come from its prefix hashes in constant
/// time each, without building a string per deletion. Colliding keys only add candidates, which are checked
/// character by character.
struct FuzzyNameIndex: Sendable {
    private var table = NameTable()
    private var byKey = UInt64Map<[Int32]>()
    /// Names shorter than this are not matched fuzzily: one edit of a two-character name is another name.
    static let minimumLength = 3
    /// The longest name inserted. A query more than one character longer is no name's near miss, so it is not
    /// looked up: what keeps the parser's search of long unmatched text from growing with the fourth power of its
    /// length.
    private(set) var longestNameLength = 0

    /// The base of the polynomial hashes here and in ``HomophoneIndex``: odd, so multiplying by it is invertible
    /// modulo 2^64, and above every scalar value and reading id, so that no carry makes two sequences collide.
    static let base: UInt64 = 0x100_0000_01B3

    /// `hash(s) = Σ s[i]·base^(n-1-i)` modulo 2^64, with each scalar offset by one so that no character hashes
    /// like the empty string.
    private static func hash(_ s: some Collection<Unicode.Scalar>) -> UInt64 {
        s.reduce(0) { $0 &* base &+ UInt64($1.value + 1) }
    }

    /// The hashes of `query` with each of its characters deleted, from prefix hashes: the part before position k,
    /// shifted by the length after it, plus the part after it.
    private static func deletionHashes(_ query: ArraySlice<Unicode.Scalar>) -> [UInt64] {
        let n = query.count
        var prefix = [UInt64](repeating: 0, count: n + 1)
        var power = [UInt64](repeating: 1, count: n + 1)
        for (i, s) in query.enumerated() {
            prefix[i + 1] = prefix[i] &* base &+ UInt64(s.value + 1)
            power[i + 1] = power[i] &* base
        }
        // hash(query[a..<b]) = prefix[b] - prefix[a]·base^(b-a)
        func part(_ a: Int, _ b: Int) -> UInt64 { prefix[b] &- prefix[a] &* power[b - a] }
        return (0..<n).map { k in part(0, k) &* power[n - k - 1] &+ part(k + 1, n) }
    }

    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry) {
        guard name.count >= Self.minimumLength, let id = table.insert(name, entry) else { return }
        longestNameLength = max(longestNameLength, name.count)
        byKey.update(Self.hash(name), initial: []) { $0.append(id) }
        for key in Self.deletionHashes(name[...]) where byKey[key]?.last != id { byKey.update(key, initial: []) { $0.append(id) } }
    }

    /// Names one edit from `query` (not the query itself), with their entries.
    func nearMisses(of query: some RandomAccessCollection<Unicode.Scalar>) -> [([Unicode.Scalar], [NameEntry])] {
        guard query.count >= Self.minimumLength - 1, query.count <= longestNameLength + 1 else { return [] }
        let slice = ArraySlice(query)
        // Most sub-runs of unplaced text hit nothing: no set is made until a key does.
        var found: [Int32] = byKey[Self.hash(slice)] ?? []
        for key in Self.deletionHashes(slice) {
            if let ids = byKey[key] { found += ids }
        }
        guard !found.isEmpty else { return [] }
        let candidates = Set(found)
        let query = Array(slice)
        // Best first: a dropped or doubled character (the query and the name differ by one insertion) before a
        // wrong one, official names before aliases, then a stable order.
        let hits = candidates.sorted().compactMap { id -> (rank: (Int, UInt8, Int32), name: [Unicode.Scalar], entries: [NameEntry])? in
            let name = table.names[Int(id)]
            guard name != query, Self.withinOneEdit(name, query) else { return nil }
            return ((name.count != query.count ? 0 : 1, table.bestForm(id), id), name, table.entries[Int(id)])
        }
        return hits.sorted { $0.rank < $1.rank }.map { ($0.name, $0.entries) }
    }

    /// Damerau-Levenshtein distance at most one (substitution, insertion, deletion or adjacent swap).
    static func withinOneEdit(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Bool {
        if abs(a.count - b.count) > 1 { return false }
        var i = 0
        while i < a.count && i < b.count && a[i] == b[i] { i += 1 }
        if i == a.count && i == b.count { return true }
        if a.count == b.count {
            if a[(i + 1)...] == b[(i + 1)...] { return true }
            return i + 1 < a.count && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)...] == b[(i + 2)...]
        }
        return a.count > b.count ? a[(i + 1)...] == b[i...] : a[i...] == b[(i + 1)...]
    }
}
