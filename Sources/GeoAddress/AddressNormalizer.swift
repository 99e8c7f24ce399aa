/// Brings Chinese address text to one canonical spelling before parsing, so that the book and a query written
/// by a person meet on the same characters.
///
/// In order:
/// 1. full-width ASCII to half-width, the ideographic space to a space, common Traditional characters to
///    Simplified (號 → 号, 樓 → 楼, 區 → 区 …), ASCII letters to upper case, every dash to `-`, `#` to 号;
/// 2. whitespace and punctuation dropped (a `-` or `.` between digits is kept: 12-1号, 1.5公里);
/// 3. Chinese numerals to Arabic where they count something (followed by 号, 幢, 单元, 室, 米, 国道 …, or after 第
///    or 之): 一百零八号 → 108号, 三零二室 → 302室; names such as 八一社区 or 五七村 keep their numerals;
/// 4. one spelling per suffix: N栋/N座/N号楼/N楼 → N幢 (N楼 after 单元 is a floor, N层), N号院 → N号, N房 → N室,
///    12之1号 / 12号之1 / 12号-1 → 12-1号, 第 before a number dropped, a bare number after N单元 → N室.
public enum AddressNormalizer {
    /// The canonical form of `text`. Idempotent: normalising twice gives the same string.
    public static func normalize(_ text: String) -> String {
        String(scalars: normalizedScalars(text))
    }

    /// The canonical form of `text` as Unicode scalars (what the parser walks).
    public static func normalizedScalars(_ text: String) -> [Unicode.Scalar] {
        var mapped: [Unicode.Scalar] = []
        // The UTF-8 length bounds the scalar count and, unlike that count, needs no walk over the text.
        mapped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { mapped.append(mapCharacter(scalar)) }
        dropPunctuation(&mapped)
        var result = canonicalSuffixes(convertNumerals(mapped))
        // Steps 3 and 4 changed nothing (most addresses): a second pass would not either.
        if result == mapped { return result }
        // Steps 3 and 4 read each other's output: step 4 turns 12号院零 into 12号零, whose 零 step 3 reads as a number
        // only now. So they run again until nothing changes, which is what makes normalising idempotent. One more
        // pass settles every input tools/fuzz has found; the bound only guards against a cycle.
        for _ in 0..<4 {
            let next = canonicalSuffixes(convertNumerals(result))
            if next == result { break }
            result = next
        }
        return result
    }

    // MARK: Step 1: characters

    static func mapCharacter(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v >= 0xFF01 && v <= 0xFF5E { return mapCharacter(Unicode.Scalar(v - 0xFEE0)!) }
        if v == 0x3000 { return " " }
        if v >= 0x61 && v <= 0x7A { return Unicode.Scalar(v - 0x20)! }
        switch v {
        case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0x30FC: return "-"
        case 0x23: return "号"
        default: break
        }
        guard v >= simplifiedBase, v < simplifiedBase + UInt32(simplifiedTable.count) else { return s }
        let simplified = simplifiedTable[Int(v - simplifiedBase)]
        return simplified == 0 ? s : Unicode.Scalar(simplified)!
    }

    /// ``traditionalToSimplified`` as a table over the range of its Traditional characters (0: no mapping): looked
    /// up for every character of every address, where hashing each for a dictionary would cost more.
    static let simplifiedBase: UInt32 = traditionalToSimplified.keys.map(\.value).min() ?? 0
    static let simplifiedTable: [UInt32] = {
        var table = [UInt32](repeating: 0, count: Int((traditionalToSimplified.keys.map(\.value).max() ?? 0) - simplifiedBase + 1))
        for (traditional, simplified) in traditionalToSimplified { table[Int(traditional.value - simplifiedBase)] = simplified.value }
        return table
    }()

    /// Traditional forms met in addresses (place-name and suffix characters), not a general converter.
    static let traditionalToSimplified: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs = "號号樓楼棟栋區区縣县鎮镇鄉乡條条衛卫門门東东華华園园國国興兴豐丰廣广場场橋桥莊庄團团單单層层馬马車车農农業业學学醫医寧宁陽阳雲云邊边側侧內内廠厂紅红綠绿長长鄭郑陳陈劉刘楊杨黃黄龍龙灣湾臺台與与豐丰濱滨灣湾義义齊齐儀仪億亿園园圖图環环蘇苏鹽盐橋桥處处際际價价號号壩坝塘塘厝厝廟庙鐵铁鋼钢銀银錦锦鳳凤閣阁館馆飯饭場场區区舊旧屬属龜龟壽寿嶺岭"
        var table: [Unicode.Scalar: Unicode.Scalar] = [:]
        let scalars = Array(pairs.unicodeScalars)
        var i = 0
        while i + 1 < scalars.count {
            if scalars[i] != scalars[i + 1] { table[scalars[i]] = scalars[i + 1] }
            i += 2
        }
        return table
    }()

    // MARK: Step 2: punctuation

    static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

    /// Drops them in place: the kept characters move down over the dropped ones, so no second array is made.
    static func dropPunctuation(_ text: inout [Unicode.Scalar]) {
        var kept = 0
        for i in text.indices {
            let s = text[i]
            let v = s.value
            let isLetterOrDigit = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A)
            let isHan = (v >= 0x3400 && v <= 0x9FFF) || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0x20000 && v <= 0x2FFFF)
            var keep = isLetterOrDigit || isHan || v == 0x3007
            if s == "-" || s == "." {
                // Kept between digits (12-1号, 1.5公里) and after a number before 号 (12-1号 written 12-1).
                let last = kept > 0 ? text[kept - 1] : nil
                let before = (last.map(isDigit) ?? false) || (s == "-" && last == "号")
                let after = i + 1 < text.count && (isDigit(text[i + 1]) || isChineseDigit(text[i + 1]))
                keep = before && after
            }
            if keep {
                text[kept] = s
                kept += 1
            }
        }
        text.removeLast(text.count - kept)
    }

    // MARK: Step 3: numerals

    static let chineseDigits: [Unicode.Scalar: Int] = [
        "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]
    static let chineseUnits: [Unicode.Scalar: Int] = ["十": 10, "百": 100, "千": 1000]

    static func isChineseDigit(_ s: Unicode.Scalar) -> Bool { numeralCharacters.contains(s) }
    /// The keys of ``chineseDigits`` and ``chineseUnits``, asked about for every character of every address.
    static let numeralCharacters = ScalarSet(String(String.UnicodeScalarView(Array(chineseDigits.keys) + Array(chineseUnits.keys))))

    /// Suffixes after which a numeral counts something (so it is a number, not part of a name).
    static let countingSuffixes: [[Unicode.Scalar]] = [
        "号", "幢", "栋", "座", "楼", "单元", "室", "层", "米", "弄", "组", "户", "门", "房", "公里", "千米",
        // Road numbers: 九七五县道 is county road X975.
        "国道", "省道", "县道", "乡道",
    ].map { Array($0.unicodeScalars) }

    static func hasPrefix(_ scalars: [Unicode.Scalar], _ prefix: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + prefix.count <= scalars.count else { return false }
        for k in 0..<prefix.count where scalars[index + k] != prefix[k] { return false }
        return true
    }

    /// Whether `first` then `second` start at `index`: the two-character suffixes checked for every character,
    /// without building an array for each check.
    static func hasPair(_ scalars: [Unicode.Scalar], _ first: Unicode.Scalar, _ second: Unicode.Scalar, at index: Int) -> Bool {
        index + 1 < scalars.count && scalars[index] == first && scalars[index + 1] == second
    }

    static func convertNumerals(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Most addresses have no Chinese numeral: no copy for them.
        guard input.contains(where: isChineseDigit) else { return input }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            guard isChineseDigit(input[i]) else {
                out.append(input[i])
                i += 1
                continue
            }
            var end = i
            while end < input.count && isChineseDigit(input[end]) { end += 1 }
            let run = Array(input[i..<end])
            let previous = out.last
            let counts =
                countingSuffixes.contains { hasPrefix(input, $0, at: end) }
                || previous == "第" || previous == "之" || previous == "-"
                || (previous.map(isDigit) ?? false)
                || (end == input.count && (previous == "元" || previous == "号"))
            if counts, let value = numeralValue(run) {
                if previous == "第" { out.removeLast() }
                out.append(contentsOf: value.unicodeScalars)
            } else {
                out.append(contentsOf: run)
            }
            i = end
        }
        return out
    }

    /// The Arabic digits of a Chinese numeral: positional with 十/百/千 (一百零八 → 108, 十二 → 12, 三百五 → 350)
    /// or read digit by digit without them (三零二 → 302). Nil when the run is not a well-formed numeral.
    static func numeralValue(_ run: [Unicode.Scalar]) -> String? {
        if !run.contains(where: { chineseUnits[$0] != nil }) {
            return String(run.map { Character(String(chineseDigits[$0]!)) })
        }
        var total = 0
        var current = 0
        var lastUnit = Int.max
        var sawZero = false
        for s in run {
            if let d = chineseDigits[s] {
                if d == 0 { sawZero = true; continue }
                if current != 0 { return nil }
                current = d
            } else if let unit = chineseUnits[s] {
                guard unit < lastUnit else { return nil }
                // 十二 means 12: a leading 十 counts one ten.
                let multiplier = current != 0 ? current : (unit == 10 && total == 0 ? 1 : 0)
                guard multiplier != 0 else { return nil }
                total += multiplier * unit
                current = 0
                lastUnit = unit
                sawZero = false
            }
        }
        if current != 0 {
            // 三百五 means 350: a lone digit right after 百 or 千 counts one place lower; after 零 it is units.
            total += (lastUnit != Int.max && lastUnit > 10 && !sawZero) ? current * lastUnit / 10 : current
        }
        return String(total)
    }

    // MARK: Step 4: suffixes

    /// Whether a rule of ``canonicalSuffixes(_:)`` may apply: a character it rewrites right after a digit (栋, 座,
    /// 楼, 房, 之, 单元; 号 only before 楼, 之, - or 院). Until a rule applies, the output is the input, so this looks
    /// at the input alone; text without one (12号, 301室: most addresses with a number) is not copied.
    static func mayRewriteSuffix(_ input: [Unicode.Scalar]) -> Bool {
        guard input.count >= 2 else { return false }
        for i in 1..<input.count where isDigit(input[i - 1]) {
            switch input[i] {
            case "栋", "座", "楼", "房", "之", "单": return true
            case "号":
                if i + 1 < input.count, "楼之-院".unicodeScalars.contains(input[i + 1]) { return true }
            default: break
            }
        }
        return false
    }

    static func canonicalSuffixes(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Every rule below rewrites a suffix after a digit: no copy for text without one it may rewrite.
        guard mayRewriteSuffix(input) else { return input }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        var afterUnit = false
        var i = 0
        while i < input.count {
            let s = input[i]
            let afterNumber = out.last.map(isDigit) ?? false
            if afterNumber {
                if hasPair(input, "号", "楼", at: i) {
                    out.append("幢"); i += 2; continue
                }
                if s == "栋" || s == "座" {
                    out.append("幢"); i += 1; continue
                }
                if s == "楼" && !hasPair(input, "楼", "层", at: i) {
                    out.append(afterUnit ? "层" : "幢"); i += 1; continue
                }
                if s == "房" {
                    out.append("室"); i += 1; continue
                }
                if s == "之", i + 1 < input.count, isDigit(input[i + 1]) {
                    out.append("-"); i += 1; continue
                }
            }
            // 12号院 → 12号, read off the output so that 12号院院 also ends as 12号 and a second pass finds nothing.
            if s == "院", out.count >= 2, out[out.count - 1] == "号", isDigit(out[out.count - 2]) {
                i += 1
                continue
            }
            // 12号之1 and 12号-1 → 12-1号. The whole chain moves before 号 (12号-1-2 → 12-1-2号), or a second pass
            // would move the rest; a chain that runs into a decimal point (12号-1.5) stays, since after 号 step 2
            // would drop that point. Either way normalising stays idempotent.
            if s == "号", i + 2 < input.count, input[i + 1] == "之" || input[i + 1] == "-", isDigit(input[i + 2]), afterNumber {
                var k = i + 1
                var chain: [Unicode.Scalar] = []
                while k + 1 < input.count && (input[k] == "之" || input[k] == "-") && isDigit(input[k + 1]) {
                    chain.append("-")
                    k += 1
                    while k < input.count && isDigit(input[k]) { chain.append(input[k]); k += 1 }
                }
                if k == input.count || input[k] != "." {
                    out.append(contentsOf: chain)
                    out.append("号")
                    i = k
                    continue
                }
            }
            if hasPair(input, "单", "元", at: i) && afterNumber {
                out.append(contentsOf: "单元".unicodeScalars)
                i += 2
                afterUnit = true
                // 2单元301 → 2单元301室, but not a number that goes on (2单元3-1号, 2单元1.5米, 2单元3之1号).
                var k = i
                while k < input.count && isDigit(input[k]) { k += 1 }
                if k > i && (k == input.count || !"室层幢号楼栋座房-.之".unicodeScalars.contains(input[k])) {
                    out.append(contentsOf: input[i..<k])
                    out.append("室")
                    i = k
                }
                continue
            }
            out.append(s)
            i += 1
        }
        return out
    }
}

extension String {
    /// The text of `scalars`, encoded straight into the string's UTF-8 storage. `String.UnicodeScalarView(_:)`
    /// appends one scalar at a time, growing as it goes; the parser makes a string per name it tries.
    init<Scalars: Collection<Unicode.Scalar>>(scalars: Scalars) {
        self.init(unsafeUninitializedCapacity: scalars.count * 4) { buffer in
            var count = 0
            for scalar in scalars {
                for byte in scalar.utf8 {
                    buffer[count] = byte
                    count += 1
                }
            }
            return count
        }
    }
}
