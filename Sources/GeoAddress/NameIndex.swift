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
    /// `formerSuffix`: a county-level name with another county-level suffix than today's (黔西县 for 黔西市, 龙海市 for
    /// 龙海区): counties become cities and cities districts, and addresses keep the old suffix for years.
    case official, alias, shortForm, former, formerSuffix
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
    /// A key beside its value, so that a probe reads one cache line: the trie's table holds hundreds of thousands
    /// of edges, far more than the cache, and most probes of a query's text miss it.
    private struct Slot {
        var key: UInt64
        var value: Value?
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init() {
        slots = Array(repeating: Slot(key: 0, value: nil), count: 16)
        mask = 15
    }

    /// The slot of `key`, or of the empty slot where it would go.
    private func slot(_ key: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while slots[i].value != nil, slots[i].key != key { i = (i + 1) & mask }
        return i
    }

    subscript(key: UInt64) -> Value? { slots[slot(key)].value }

    /// Changes the value of `key` in place, starting from `initial` when absent.
    mutating func update(_ key: UInt64, initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        if (count + 1) * 2 > slots.count { grow() }
        let i = slot(key)
        if slots[i].value == nil {
            count += 1
            var value = initial()
            change(&value)
            slots[i] = Slot(key: key, value: value)
        } else {
            change(&slots[i].value!)
        }
    }

    /// Calls `body` with every key and value, in no particular order.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for slot in slots { if let value = slot.value { body(slot.key, value) } }
    }

    /// Sets the value of `key`.
    mutating func set(_ key: UInt64, _ value: Value) { update(key, initial: value) { $0 = value } }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: 0, value: nil), count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry.value != nil { slots[slot(entry.key)] = entry }
    }
}

/// A small set of characters (a handful of suffix or direction characters) that the parser asks about at every
/// position: a linear scan of a few values is several times cheaper than hashing the character for a `Set`.
struct ScalarSet: Sendable {
    private let values: [UInt32]
    /// Bit `v % 64` set for every value `v`: most characters asked about are no member, and one test of this
    /// word turns most of them away before the scan.
    private let filter: UInt64

    init(_ characters: String) {
        values = Array(Set(characters.unicodeScalars.map(\.value))).sorted()
        filter = values.reduce(0) { $0 | 1 << UInt64($1 & 63) }
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        filter & 1 << UInt64(scalar.value & 63) != 0 && values.contains(scalar.value)
    }
}

/// The kinds of entry a name has, as the parser's walks ask about them.
struct EntryKinds: OptionSet, Sendable {
    let rawValue: UInt8
    /// A national division by its official name, an alias or a former name.
    static let division = EntryKinds(rawValue: 1)
    /// A national division by its short form (盐城 for 盐城市).
    static let divisionShortForm = EntryKinds(rawValue: 2)
    /// Anything else: a book region, road, place or POI.
    static let other = EntryKinds(rawValue: 4)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(_ entry: NameEntry) {
        guard case .division = entry.target else {
            self = .other
            return
        }
        self = entry.form == .shortForm ? .divisionShortForm : .division
    }
}

/// A trie over Unicode scalars stored as one hash table of edges, so that building it for the 40,000 national
/// division names costs a few megabytes rather than a dictionary per node. Walking it from each position of a
/// query finds every known name starting there in one pass.
struct ScalarTrie: Sendable {
    private var edges = UInt64Map<Int32>()
    /// The root's children by scalar value below ``denseRootLimit`` (0: none), which covers the common Han block:
    /// every position of a query starts a walk at the root, and an array read there is cheaper than a probe.
    private var rootChildren = [Int32](repeating: 0, count: Int(denseRootLimit))
    private static let denseRootLimit: UInt32 = 0xA000
    /// The entries of the name ending at each node, by node (empty where none ends): an array, not a hashed
    /// dictionary, because the parser asks at every node it walks.
    private var terminals: [[NameEntry]] = [[]]
    /// What kinds of entry end at each node, so that a walk asking only that (is a division named here?) reads
    /// one byte instead of every entry of a name such as 城关, which hundreds of townships share.
    private var kinds: [EntryKinds] = [[]]
    private var nodeCount: Int32 = 1

    private static func key(_ node: Int32, _ scalar: Unicode.Scalar) -> UInt64 { UInt64(UInt32(node)) << 32 | UInt64(scalar.value) }

    /// The node reached from `node` by `scalar`, if any.
    private func child(_ node: Int32, _ scalar: Unicode.Scalar) -> Int32? {
        if node == 0, scalar.value < Self.denseRootLimit {
            let next = rootChildren[Int(scalar.value)]
            return next == 0 ? nil : next
        }
        return edges[Self.key(node, scalar)]
    }

    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry) {
        guard !name.isEmpty else { return }
        var node: Int32 = 0
        for s in name {
            if let next = child(node, s) {
                node = next
            } else {
                edges.set(Self.key(node, s), nodeCount)
                if node == 0, s.value < Self.denseRootLimit { rootChildren[Int(s.value)] = nodeCount }
                node = nodeCount
                nodeCount += 1
                terminals.append([])
                kinds.append([])
            }
        }
        if !terminals[Int(node)].contains(entry) { terminals[Int(node)].append(entry) }
        kinds[Int(node)].insert(EntryKinds(entry))
    }

    /// Every name that starts at `start` in `text`, shortest first, as (length, entries).
    func prefixes(of text: [Unicode.Scalar], from start: Int) -> [(length: Int, entries: [NameEntry])] {
        var found: [(length: Int, entries: [NameEntry])] = []
        prefixes(of: text, from: start, into: &found)
        return found
    }

    /// ``prefixes(of:from:)`` written into `found` (emptied first): the parser asks at every position of a text
    /// and keeps one buffer for all of them.
    func prefixes(of text: [Unicode.Scalar], from start: Int, into found: inout [(length: Int, entries: [NameEntry])]) {
        found.removeAll(keepingCapacity: true)
        var node: Int32 = 0
        var i = start
        while i < text.count, let next = child(node, text[i]) {
            node = next
            i += 1
            if !kinds[Int(node)].isEmpty { found.append((i - start, terminals[Int(node)])) }
        }
    }

    /// Whether some name starts at `start` in `text` whose (length, entries) satisfy `accept`, shortest first; the
    /// walk stops at the first that does, and nothing is collected.
    func anyPrefix(of text: [Unicode.Scalar], from start: Int, _ accept: (_ length: Int, _ kinds: EntryKinds, _ entries: [NameEntry]) -> Bool) -> Bool {
        var node: Int32 = 0
        var i = start
        while i < text.count, let next = child(node, text[i]) {
            node = next
            i += 1
            let here = kinds[Int(node)]
            if !here.isEmpty, accept(i - start, here, terminals[Int(node)]) { return true }
        }
        return false
    }

    /// Whether some name starts with `prefix` (every node lies on the way to a name).
    func startsAName(_ prefix: some Collection<Unicode.Scalar>) -> Bool {
        var node: Int32 = 0
        for s in prefix {
            guard let next = child(node, s) else { return false }
            node = next
        }
        return true
    }

    /// The entries of exactly `name`.
    func entries(of name: [Unicode.Scalar]) -> [NameEntry] {
        var node: Int32 = 0
        for s in name {
            guard let next = child(node, s) else { return [] }
            node = next
        }
        return terminals[Int(node)]
    }

    /// Every entry under names starting with `prefix` (for autocomplete), at most `limit` names visited.
    func completions(of prefix: [Unicode.Scalar], limit: Int, childrenOf: [Int32: [(Unicode.Scalar, Int32)]]) -> [([Unicode.Scalar], [NameEntry])] {
        var node: Int32 = 0
        for s in prefix {
            guard let next = child(node, s) else { return [] }
            node = next
        }
        var out: [([Unicode.Scalar], [NameEntry])] = []
        // Breadth first, so shorter completions come first.
        var queue: [(Int32, [Unicode.Scalar])] = [(node, prefix)]
        var head = 0
        while head < queue.count && out.count < limit {
            let (n, text) = queue[head]
            head += 1
            let entries = terminals[Int(n)]
            if !entries.isEmpty { out.append((text, entries)) }
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
    /// The last two characters (as ``hash(_:)``) of every name with a region reading.
    private var regionEndings = UInt64Map<Bool>()
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
        guard name.count >= Self.minimumLength else { return }
        switch entry.target {
        case .division, .region: regionEndings.set(Self.hash(name.suffix(2)), true)
        default: break
        }
        guard let id = table.insert(name, entry) else { return }
        longestNameLength = max(longestNameLength, name.count)
        byKey.update(Self.hash(name), initial: []) { $0.append(id) }
        for key in Self.deletionHashes(name[...]) where byKey[key]?.last != id { byKey.update(key, initial: []) { $0.append(id) } }
    }

    /// Whether a name with a region reading (a national division or a book region) may lie one edit from `query`:
    /// a necessary condition that costs a probe and a short walk, where ``nearMisses(of:)`` costs a probe per
    /// character (and the parser asks it of every tail of an unknown run ending in 区, such as 邮电大学仙林校区). An
    /// edit either leaves the last two characters in place, so that a region name ends with them, or lies within the
    /// last three, so that a name starts with the characters before those, which `startsAName` tells.
    func mayHaveRegionNearMiss(of query: [Unicode.Scalar], startsAName: (ArraySlice<Unicode.Scalar>) -> Bool) -> Bool {
        let count = query.count
        guard count > 3 else { return true }
        return regionEndings[Self.hash(query.suffix(2))] != nil || startsAName(query[..<(count - 3)])
    }

    /// Names one edit from `query` (not the query itself), with their entries.
    func nearMisses(of query: some RandomAccessCollection<Unicode.Scalar>) -> [([Unicode.Scalar], [NameEntry])] {
        guard query.count >= Self.minimumLength - 1, query.count <= longestNameLength + 1 else { return [] }
        let slice = ArraySlice(query)
        // Most sub-runs of unplaced text hit nothing: no set is made until a key does.
        var found: [Int32] = byKey[Self.hash(slice)] ?? []
        // A query one shorter than the shortest name matches only a name's deletion key, which its own hash is;
        // its deletions would be shorter than any key.
        if slice.count >= Self.minimumLength {
            for key in Self.deletionHashes(slice) {
                if let ids = byKey[key] { found += ids }
            }
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
