import Foundation
import GeoCore

/// Toneless Mandarin readings of hanzi (`行` → xing, hang, heng), for matching names written with characters of
/// the same sound (同音字): a citizen typing with a pinyin input method picks 仁民被路 for 人民北路.
///
/// The demo city ships AddressBooks/national/pinyin.txt (GB 2312 and every hanzi of the address books, from the
/// Unicode Han Database; see AddressBooks/README.md). An empty table turns homophone matching off.
public struct PinyinTable: Sendable {
    /// Every distinct syllable, indexed by the ids ``readingIDs`` holds.
    private var syllables: [String] = []
    /// Reading ids of each hanzi, most common first.
    private var readingIDs: [Unicode.Scalar: [UInt16]] = [:]
    /// ``readingIDs`` of the Han blocks of the Basic Multilingual Plane by code point from ``denseBase`` (empty: no
    /// reading): the homophone index asks for every character of every name it tries, where hashing each would cost
    /// more than the read.
    private var denseIDs: [[UInt16]] = []
    private static let denseBase: UInt32 = 0x3400
    private static let denseEnd: UInt32 = 0xA000
    /// Hanzi by their most common reading, in code point order (for ``homophones(of:)``).
    private var byFirstReading: [UInt16: [Unicode.Scalar]] = [:]

    /// An empty table: no character has a reading, so nothing is a homophone.
    public init() {}

    /// Reads the table's text: one hanzi per line, a tab, its readings (lowercase a–z, `v` for ü) separated by
    /// spaces, most common first. Lines starting with `#` and blank lines are skipped.
    public init(text: String) throws(GeoError) {
        var ids: [String: UInt16] = [:]
        var lineNumber = 0
        // A Character "\r\n" is one newline, so Windows line ends count once.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let readings = fields.count == 2 ? fields[1].split(separator: " ") : []
            guard fields.count == 2, fields[0].unicodeScalars.count == 1, let hanzi = fields[0].unicodeScalars.first,
                Self.isHanzi(hanzi), !readings.isEmpty,
                readings.allSatisfy({ r in r.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } })
            else {
                throw GeoError(
                    code: .invalidPinyin,
                    message: "pinyin table line \(lineNumber) is malformed: expected a hanzi, a tab and lowercase readings separated by spaces",
                    location: "line \(lineNumber)")
            }
            guard readingIDs[hanzi] == nil else {
                throw GeoError(code: .invalidPinyin, message: "pinyin table line \(lineNumber) repeats \(hanzi)", location: "line \(lineNumber)")
            }
            var own: [UInt16] = []
            for r in readings {
                let syllable = String(r)
                let id: UInt16
                if let known = ids[syllable] {
                    id = known
                } else {
                    // A few thousand syllables at most exist; more means the file is not a reading table.
                    guard syllables.count < Int(UInt16.max) else {
                        throw GeoError(code: .invalidPinyin, message: "pinyin table line \(lineNumber): too many distinct readings", location: "line \(lineNumber)")
                    }
                    id = UInt16(syllables.count)
                    ids[syllable] = id
                    syllables.append(syllable)
                }
                if !own.contains(id) { own.append(id) }
            }
            readingIDs[hanzi] = own
            byFirstReading[own[0], default: []].append(hanzi)
        }
        for key in byFirstReading.keys { byFirstReading[key]!.sort { $0.value < $1.value } }
        denseIDs = Array(repeating: [], count: Int(Self.denseEnd - Self.denseBase))
        for (hanzi, own) in readingIDs where hanzi.value >= Self.denseBase && hanzi.value < Self.denseEnd {
            denseIDs[Int(hanzi.value - Self.denseBase)] = own
        }
    }

    /// Reads the table from a file (UTF-8).
    public static func load(from url: URL) throws(GeoError) -> PinyinTable {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeoError(code: .notFound, message: "cannot read the pinyin table \(url.path)", underlying: "\(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw GeoError(code: .invalidPinyin, message: "the pinyin table \(url.path) is not UTF-8")
        }
        return try PinyinTable(text: text)
    }

    /// The table at `url`, or the empty one (homophones off) when there is no file there; a file that is there
    /// must read.
    public static func load(ifPresentAt url: URL) throws(GeoError) -> PinyinTable {
        FileManager.default.fileExists(atPath: url.path) ? try load(from: url) : PinyinTable()
    }

    /// How many hanzi have readings.
    public var count: Int { readingIDs.count }

    /// The toneless readings of a hanzi, most common first; empty for a character the table does not have.
    public func readings(of hanzi: Unicode.Scalar) -> [String] { (readingIDs[hanzi] ?? []).map { syllables[Int($0)] } }

    /// Other hanzi whose most common reading is that of `hanzi` (建 → 见, 件, 健 … for jian), in code point
    /// order: what a pinyin input method offers for the same syllable.
    public func homophones(of hanzi: Unicode.Scalar) -> [Unicode.Scalar] {
        guard let first = readingIDs[hanzi]?.first else { return [] }
        return (byFirstReading[first] ?? []).filter { $0 != hanzi }
    }

    func ids(of hanzi: Unicode.Scalar) -> [UInt16]? {
        guard hanzi.value >= Self.denseBase, hanzi.value < Self.denseEnd, !denseIDs.isEmpty else { return readingIDs[hanzi] }
        let ids = denseIDs[Int(hanzi.value - Self.denseBase)]
        return ids.isEmpty ? nil : ids
    }

    /// CJK unified and compatibility ideographs, the supplementary planes included: a few village names of the
    /// division list are written with Extension B–H characters.
    static func isHanzi(_ s: Unicode.Scalar) -> Bool {
        AddressParser.isHan(s) || (s.value >= 0x2_0000 && s.value <= 0x3_23AF)
    }

    /// Whether two characters sound alike: the same character, or two hanzi sharing a reading (行 and 航 share
    /// hang, although 行 is usually xing).
    func soundAlike(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        if a == b { return true }
        guard let ra = ids(of: a), let rb = ids(of: b) else { return false }
        return ra.contains { rb.contains($0) }
    }
}

/// Homophone lookup: names with the toneless-pinyin sequence of a query of the same length (every character
/// either the name's or sharing a reading with it), such as 仁民被路 for 人民北路 or 杏福花园 for 幸福花苑.
///
/// Each name is filed under the sequence of its characters' readings. A polyphone gives a name one key per reading
/// (重庆路 under zhong-qing-lu and chong-qing-lu), and a query is looked up under each of its own; both are capped
/// at ``maximumKeys`` (further polyphones count with their most common reading only), so neither a long name of
/// polyphones nor a long query multiplies the work. The keys only find candidates: each is then checked character
/// by character.
struct HomophoneIndex: Sendable {
    let pinyin: PinyinTable
    private var table = NameTable()
    /// ``NameTable/mixesRegions`` of the names held.
    var namesMixRegions: Bool { table.mixesRegions }
    private var byKey = UInt64Map<[Int32]>()
    /// Whether a name of each length is held, by length: a query of any other length is not looked up.
    private var lengths: [Bool] = []
    /// Keys per name and per query at most.
    static let maximumKeys = 16

    init(pinyin: PinyinTable) { self.pinyin = pinyin }

    /// Whether any name is held (false without a pinyin table).
    var isEmpty: Bool { table.isEmpty }

    /// The longest name held, for the parser's search of leftover text.
    private(set) var longestNameLength = 0

    /// Whether a name of `length` characters is held: only then is a query of that length looked up.
    func holdsNames(ofLength length: Int) -> Bool { length < lengths.count && lengths[length] }

    /// The reading keys of a character sequence: one per combination of its characters' readings, at most
    /// ``maximumKeys``. A character without a reading (a digit, a letter, a rare hanzi) stands for itself, above
    /// the range of reading ids. A key is a polynomial hash of the sequence of ids (hashing a UInt64 is far
    /// cheaper than an array): a collision only adds a candidate, which the character check then drops.
    private func keys(_ name: [Unicode.Scalar]) -> [UInt64] {
        let base = FuzzyNameIndex.base
        var keys: [UInt64] = [0]
        // One array, extended in place: the parser asks for the keys of every name it tries.
        keys.reserveCapacity(Self.maximumKeys)
        for s in name {
            guard let ids = pinyin.ids(of: s) else {
                for k in keys.indices { keys[k] = keys[k] &* base &+ UInt64(0x1_0001 + s.value) }
                continue
            }
            guard keys.count * ids.count <= Self.maximumKeys, ids.count > 1 else {
                for k in keys.indices { keys[k] = keys[k] &* base &+ UInt64(ids[0]) + 1 }
                continue
            }
            // Every key with every reading, each key's in reading order, as the keys were before: written back to
            // front, so that each key is read before its place is written.
            let count = keys.count
            keys.append(contentsOf: repeatElement(0, count: count * (ids.count - 1)))
            for k in stride(from: count - 1, through: 0, by: -1) {
                let key = keys[k]
                for (r, id) in ids.enumerated() { keys[k * ids.count + r] = key &* base &+ UInt64(id) + 1 }
            }
        }
        return keys
    }

    /// Files a name (at least ``FuzzyNameIndex/minimumLength`` characters, one hanzi with a reading at least);
    /// `reach` is where its reading lies (``NameTable``).
    mutating func insert(_ name: [Unicode.Scalar], _ entry: NameEntry, reach: RegionReach = RegionReach(provinces: .max, kinds: .max)) {
        guard name.count >= FuzzyNameIndex.minimumLength, name.contains(where: { pinyin.ids(of: $0) != nil }),
            let id = table.insert(name, entry, reach: reach)
        else { return }
        if lengths.count <= name.count { lengths += repeatElement(false, count: name.count + 1 - lengths.count) }
        lengths[name.count] = true
        longestNameLength = max(longestNameLength, name.count)
        for key in keys(name) where byKey[key]?.last != id { byKey.update(key, initial: []) { $0.append(id) } }
    }

    /// Names that sound like `query` (not the query itself) with an entry of one of `kinds`, with their entries:
    /// official names first, then the fewest differing characters.
    func homophones(of query: [Unicode.Scalar], kinds: EntryKinds = .all) -> [([Unicode.Scalar], [NameEntry])] {
        guard holdsNames(ofLength: query.count) else { return [] }
        var found: [Int32] = []
        for key in keys(query) {
            guard let ids = byKey[key] else { continue }
            for id in ids where !table.kinds[Int(id)].isDisjoint(with: kinds) { found.append(id) }
        }
        guard !found.isEmpty else { return [] }
        let hits = uniqueSorted(found).compactMap { id -> (rank: (UInt8, Int, Int32), name: [Unicode.Scalar], entries: [NameEntry])? in
            let name = table.names[Int(id)]
            // Hash keys of different lengths may collide; zip alone would compare only the shorter's length.
            guard name.count == query.count, name != query, zip(name, query).allSatisfy({ pinyin.soundAlike($0, $1) }) else { return nil }
            let differing = zip(name, query).filter { $0 != $1 }.count
            return ((table.bestForms[Int(id)], differing, id), name, table.entries[Int(id)])
        }
        return hits.sorted { $0.rank < $1.rank }.map { ($0.name, $0.entries) }
    }
}
