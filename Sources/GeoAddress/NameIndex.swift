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
        let value = scalar.value
        guard filter & 1 << UInt64(value & 63) != 0 else { return false }
        for member in values where member == value { return true }
        return false
    }
}

/// The kinds of entry a name has, as the parser's walks and lookups ask about them: one byte per name, read
/// instead of the name's entries.
struct EntryKinds: OptionSet, Sendable {
    let rawValue: UInt8
    /// A national division by its official name, an alias or a former name.
    static let division = EntryKinds(rawValue: 1)
    /// A national division by its short form (盐城 for 盐城市).
    static let divisionShortForm = EntryKinds(rawValue: 2)
    /// A region of the book.
    static let region = EntryKinds(rawValue: 4)
    static let road = EntryKinds(rawValue: 8)
    static let place = EntryKinds(rawValue: 16)
    static let poi = EntryKinds(rawValue: 32)
    /// Anything but a national division.
    static let other: EntryKinds = [.region, .road, .place, .poi]
    /// Anything with a code: a national division or a book region.
    static let regions: EntryKinds = [.division, .divisionShortForm, .region]
    /// Every kind.
    static let all = EntryKinds(rawValue: .max)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(_ entry: NameEntry) {
        switch entry.target {
        case .division: self = entry.form == .shortForm ? .divisionShortForm : .division
        case .region: self = .region
        case .road: self = .road
        case .place: self = .place
        case .poi: self = .poi
        }
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
        var node: Int32 = 0
        var i = start
        while i < text.count, let next = child(node, text[i]) {
            node = next
            i += 1
            if !kinds[Int(node)].isEmpty { found.append((i - start, terminals[Int(node)])) }
        }
        return found
    }

    /// The names that start at `start` of `names.text`, shortest first: indexes of ``NameStarts/subscript(_:)``.
    /// The trie is walked from `start` the first time it is asked about, and `names` keeps what the walk found.
    func names(startingAt start: Int, in names: inout NameStarts) -> Range<Int> {
        if let known = names.walked(start) { return known }
        let first = names.hits.count
        var node: Int32 = 0
        var i = start
        while i < names.text.count, let next = child(node, names.text[i]) {
            node = next
            i += 1
            if !kinds[Int(node)].isEmpty { names.hits.append((Int32(i - start), node)) }
        }
        return names.walked(start, first..<names.hits.count)
    }

    /// The kinds of entry of the name ending at `node` (a node of ``NameStarts``).
    func kinds(atNode node: Int32) -> EntryKinds { kinds[Int(node)] }

    /// The entries of the name ending at `node` (a node of ``NameStarts``).
    func entries(atNode node: Int32) -> [NameEntry] { terminals[Int(node)] }

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

/// `ids` in increasing order, each once: the candidates of a lookup, gathered from several keys.
func uniqueSorted(_ ids: [Int32]) -> [Int32] {
    var ids = ids
    ids.sort()
    var kept = 0
    for id in ids where kept == 0 || ids[kept - 1] != id {
        ids[kept] = id
        kept += 1
    }
    ids.removeLast(ids.count - kept)
    return ids
}

/// The names starting at the positions of one text, each position walked once, when first asked about
/// (``ScalarTrie/names(startingAt:in:)``). The parser asks about a position again and again (the name there, whether
/// a division follows a name, whether a name ends inside a run), and every step of a walk probes a table far larger
/// than the cache.
struct NameStarts {
    let text: [Unicode.Scalar]
    /// Each name found: its length and the trie node it ends at.
    fileprivate(set) var hits: [(length: Int32, node: Int32)] = []
    /// The range of ``hits`` found at each position (`lower` -1: not walked yet); one more than the text, so that
    /// its end can be asked about too.
    private var walks: [(lower: Int32, upper: Int32)]

    init(_ text: [Unicode.Scalar]) {
        self.text = text
        walks = Array(repeating: (-1, 0), count: text.count + 1)
        hits.reserveCapacity(text.count)
    }

    /// The name at index `k` of a range ``ScalarTrie/names(startingAt:in:)`` gave: its length and trie node.
    subscript(_ k: Int) -> (length: Int, node: Int32) { (Int(hits[k].length), hits[k].node) }

    fileprivate func walked(_ start: Int) -> Range<Int>? {
        let walk = walks[start]
        return walk.lower < 0 ? nil : Int(walk.lower)..<Int(walk.upper)
    }

    fileprivate mutating func walked(_ start: Int, _ range: Range<Int>) -> Range<Int> {
        walks[start] = (Int32(range.lowerBound), Int32(range.upperBound))
        return range
    }
}

/// The distinct names a lookup index holds, each with every entry filed under it, by dense id: what the near-miss
/// and homophone indexes keep beside their keys.
struct NameTable: Sendable {
    private(set) var names: [[Unicode.Scalar]] = []
    private(set) var entries: [[NameEntry]] = []
    /// The kinds of each name's entries: a lookup for one kind skips the names of others without reading them.
    private(set) var kinds: [EntryKinds] = []
    /// The best form among each name's entries (official before alias …), for ranking candidates.
    private(set) var bestForms: [UInt8] = []
    /// Where each name's region entries lie (``RegionReach``): a lookup for a region inside the levels a text
    /// names skips the names of other provinces and kinds without reading them.
    private(set) var reaches: [RegionReach] = []
    private var ids: [String: Int32] = [:]
    /// Whether some name is filed both under a region (a division or a book region) and under a road, place or
    /// POI: only then can a near miss or homophone looked up for a road or place also name a region.
    private(set) var mixesRegions = false

    var isEmpty: Bool { names.isEmpty }

    /// Files `entry` under `name`, with where its reading lies; the new id when the name is new, nil when it was
    /// held already.
    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry, reach: RegionReach) -> Int32? {
        let whole = String(scalars: name)
        if let id = ids[whole] {
            let k = Int(id)
            reaches[k].formUnion(reach)
            if !entries[k].contains(entry) { entries[k].append(entry) }
            kinds[k].insert(EntryKinds(entry))
            bestForms[k] = min(bestForms[k], entry.form.rawValue)
            if !kinds[k].isDisjoint(with: .regions) && !kinds[k].isSubset(of: .regions) { mixesRegions = true }
            return nil
        }
        let id = Int32(names.count)
        ids[whole] = id
        names.append(name)
        entries.append([entry])
        kinds.append(EntryKinds(entry))
        bestForms.append(entry.form.rawValue)
        reaches.append(reach)
        return id
    }
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
    /// ``NameTable/mixesRegions`` of the names held.
    var namesMixRegions: Bool { table.mixesRegions }
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

    /// Calls `body` with the hash of `query` with each of its characters deleted, the last first: the hash of the
    /// part before position k, shifted by the length after it, plus the hash of the part after it. The prefix
    /// hashes sit on the stack, the suffix hash is carried from the end: the parser asks for the keys of every
    /// sub-run of text it could not place, and no array is made for them.
    private static func forEachDeletionHash(_ query: ArraySlice<Unicode.Scalar>, _ body: (UInt64) -> Void) {
        let n = query.count
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n + 1) { prefix in
            prefix[0] = 0
            for (i, s) in query.enumerated() { prefix[i + 1] = prefix[i] &* base &+ UInt64(s.value + 1) }
            // suffix = hash(query[k+1..<n]), power = base^(n-k-1)
            var suffix: UInt64 = 0
            var power: UInt64 = 1
            var k = n - 1
            for s in query.reversed() {
                body(prefix[k] &* power &+ suffix)
                suffix = UInt64(s.value + 1) &* power &+ suffix
                power = power &* base
                k -= 1
            }
        }
    }

    /// Files `entry` under `name`; `reach` is where its reading lies (``NameTable``).
    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry, reach: RegionReach = RegionReach(provinces: .max, kinds: .max)) {
        guard name.count >= Self.minimumLength else { return }
        switch entry.target {
        case .division, .region: regionEndings.set(Self.hash(name.suffix(2)), true)
        default: break
        }
        guard let id = table.insert(name, entry, reach: reach) else { return }
        longestNameLength = max(longestNameLength, name.count)
        byKey.update(Self.hash(name), initial: []) { $0.append(id) }
        Self.forEachDeletionHash(name[...]) { key in
            if byKey[key]?.last != id { byKey.update(key, initial: []) { $0.append(id) } }
        }
    }

    /// Whether a name with a region reading (a national division or a book region) may lie one edit from `query`:
    /// a necessary condition that costs a probe and a short walk, where ``nearMisses(of:kinds:)`` costs a probe per
    /// character (and the parser asks it of every tail of an unknown run ending in 区, such as 邮电大学仙林校区). An
    /// edit either leaves the last two characters in place, so that a region name ends with them, or lies within the
    /// last three, so that a name starts with the characters before those, which `startsAName` tells.
    func mayHaveRegionNearMiss(of query: [Unicode.Scalar], startsAName: (ArraySlice<Unicode.Scalar>) -> Bool) -> Bool {
        let count = query.count
        guard count > 3 else { return true }
        return regionEndings[Self.hash(query.suffix(2))] != nil || startsAName(query[..<(count - 3)])
    }

    /// Names one edit from `query` (not the query itself) with an entry of one of `kinds`, with their entries.
    /// With `reach` (``NamedChain/reach``), only names whose region readings may lie there: what a lookup for a
    /// region inside the levels a text names can use.
    func nearMisses(of slice: ArraySlice<Unicode.Scalar>, kinds: EntryKinds = .all, reach: RegionReach? = nil) -> [([Unicode.Scalar], [NameEntry])] {
        guard slice.count >= Self.minimumLength - 1, slice.count <= longestNameLength + 1 else { return [] }
        // The names under a key: those of another kind are dropped by their kinds alone (a road's near misses
        // share keys with hundreds of township names), before their characters are read.
        var found: [Int32] = []
        // What the closure reads, taken out first: a closure over `self` would copy the whole index for every call.
        let (byKey, kindsByID, reaches) = (byKey, table.kinds, table.reaches)
        func gather(_ key: UInt64) {
            guard let ids = byKey[key] else { return }
            for id in ids where !kindsByID[Int(id)].isDisjoint(with: kinds) && reach.map({ reaches[Int(id)].meets($0) }) ?? true {
                found.append(id)
            }
        }
        gather(Self.hash(slice))
        // A query one shorter than the shortest name matches only a name's deletion key, which its own hash is;
        // its deletions would be shorter than any key.
        if slice.count >= Self.minimumLength {
            Self.forEachDeletionHash(slice, gather)
        }
        guard !found.isEmpty else { return [] }
        let candidates = uniqueSorted(found)
        let query = Array(slice)
        // Best first: a dropped or doubled character (the query and the name differ by one insertion) before a
        // wrong one, official names before aliases, then a stable order.
        // Ranked and sorted as numbers; names and entries are fetched for the hits only, in their order.
        var hits: [(Int, UInt8, Int32)] = []
        for id in candidates {
            let name = table.names[Int(id)]
            if Self.oneEditApart(name, query) { hits.append((name.count != query.count ? 0 : 1, table.bestForms[Int(id)], id)) }
        }
        hits.sort { $0 < $1 }
        return hits.map { (table.names[Int($0.2)], table.entries[Int($0.2)]) }
    }

    /// Damerau-Levenshtein distance exactly one (substitution, insertion, deletion or adjacent swap): within one
    /// edit and not equal, in one scan.
    static func oneEditApart(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Bool {
        if abs(a.count - b.count) > 1 { return false }
        var i = 0
        while i < a.count && i < b.count && a[i] == b[i] { i += 1 }
        if i == a.count && i == b.count { return false }
        if a.count == b.count {
            if a[(i + 1)...] == b[(i + 1)...] { return true }
            return i + 1 < a.count && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)...] == b[(i + 2)...]
        }
        return a.count > b.count ? a[(i + 1)...] == b[i...] : a[i...] == b[(i + 1)...]
    }
}
