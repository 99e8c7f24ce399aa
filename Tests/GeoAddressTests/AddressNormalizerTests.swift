@testable import GeoAddress
import Testing

@Suite("Address normalisation")
struct AddressNormalizerTests {
    @Test("characters: full width, Traditional, case, dashes, spaces and punctuation", arguments: [
        ("１２３号", "123号"), ("ＡＢＣ座", "ABC座"), ("abc", "ABC"), ("人民北路　１４號", "人民北路14号"), ("大豐區", "大丰区"),
        ("人民北路，14号。", "人民北路14号"), ("（桂花苑）3幢", "桂花苑3幢"), ("12—1号", "12-1号"), ("12－1号", "12-1号"),
        ("南环路 29 号 甲", "南环路29号甲"), ("东侧1.5公里", "东侧1.5公里"), ("a-b", "AB"), ("", ""),
        ("𠮷野家路2號", "𠮷野家路2号"), ("𡈽村5号", "𡈽村5号"),
    ])
    func characters(_ input: String, _ expected: String) {
        #expect(AddressNormalizer.normalize(input) == expected)
    }

    @Test("strings are rebuilt from scalars of one to four UTF-8 bytes", arguments: ["", "A", "é", "人民北路", "𠮷野家", "a\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"])
    func stringFromScalars(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        let rebuilt = String(scalars: scalars)
        #expect(rebuilt == text)
        #expect(Array(rebuilt.utf8) == Array(text.utf8))
        #expect(String(scalars: scalars.dropFirst()) == String(String.UnicodeScalarView(scalars.dropFirst())))
    }

    @Test("Chinese numerals become Arabic where they count something", arguments: [
        ("一百零八号", "108号"), ("十二号", "12号"), ("二十号", "20号"), ("两百号", "200号"), ("一千零一号", "1001号"),
        ("三百五号", "350号"), ("一百一十号", "110号"), ("九十九号", "99号"), ("三零二室", "302室"), ("第三幢", "3幢"),
        ("五单元", "5单元"), ("东五十米", "东50米"), ("八一社区", "八一社区"), ("五七村", "五七村"), ("三龙镇", "三龙镇"),
        ("一品苑二号楼", "一品苑2幢"), ("〇三号", "03号"),
    ])
    func numerals(_ input: String, _ expected: String) {
        #expect(AddressNormalizer.normalize(input) == expected)
    }

    @Test("one spelling per building, unit, room and door-plate suffix", arguments: [
        ("3号楼", "3幢"), ("3栋", "3幢"), ("3座", "3幢"), ("3楼", "3幢"), ("3幢", "3幢"), ("3#楼", "3幢"),
        ("2单元301", "2单元301室"), ("2单元5楼", "2单元5层"), ("302房", "302室"), ("12号院", "12号"),
        ("12之1号", "12-1号"), ("12号之一", "12-1号"), ("12号-1", "12-1号"), ("12号甲", "12号甲"),
        ("桂花苑三栋二单元三零一室", "桂花苑3幢2单元301室"),
    ])
    func suffixes(_ input: String, _ expected: String) {
        #expect(AddressNormalizer.normalize(input) == expected)
    }

    // Found by tools/fuzz (address target): each normalised once to text that a second pass changed.
    @Test("inputs where steps 3 and 4 meet normalise to a fixed point", arguments: [
        ("12号-12-1", "12-12-1号"), ("12号之1之2", "12-1-2号"), ("12号院三", "12号3"), ("12号院院", "12号"), ("2单元06号之一", "2单元06-1号"),
        ("2单元3-1号", "2单元3-1号"), ("12号-1.5", "12号-1.5"), ("12号-12.2\n 3", "12号-12.23"),
    ])
    func fixedPoint(_ input: String, _ expected: String) {
        let once = AddressNormalizer.normalize(input)
        #expect(once == expected)
        #expect(AddressNormalizer.normalize(once) == once)
    }

    @Test("normalising twice changes nothing")
    func idempotent() {
        for text in ["江苏省盐城市大丰區人民北路一百零八號", "桂花苑3号楼二单元301", "南环路12号之一东侧五十米"] {
            let once = AddressNormalizer.normalize(text)
            #expect(AddressNormalizer.normalize(once) == once)
        }
    }
}
