import Foundation
import GeoAddress
import Testing

@Test func explore() async throws {
    let g = try await DemoBook.geocoder.value
    for q in ["人民北路14号", "江苏省盐城市大丰区丰华街道人民北路14号", "解放北路14号", "人明北路14号", "人民北路16号", "人民北路一百零八号",
              "桂花苑3幢2单元301室", "桂花园3号楼", "大丰区人民医院", "区政府东侧50米", "通榆路15号", "南环路29号甲", "南环路131-1号",
              "草堰路", "大中街道东风社区", "320904001001001", "北京市朝阳区建国路88号", "大丰老街", "工农北路171号3幢", "丰华街道迎宾路"] {
        let p = g.parse(q)
        print("Q", q, "| road", p.road ?? "-", "no", p.doorNumber ?? -1, p.doorSuffix, "bld", p.building ?? -1, "place", p.place ?? "-", "poi", p.poi ?? "-", "regions", p.regionNames, "dir", p.direction?.text ?? "-", "remark", p.remark)
        for r in g.geocode(q, limit: 3) {
            print("   ", r.matchType.rawValue, r.confidence, r.label, r.coordinate.map { "\($0.x),\($0.y)" } ?? "nil", r.codes["community"] ?? "", r.notes)
        }
    }
}
