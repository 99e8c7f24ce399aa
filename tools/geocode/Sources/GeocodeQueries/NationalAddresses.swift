import GeoAddress
import GeoCore

/// An address anywhere in China with the province and county-level district it lies in.
public struct NationalAddress: Sendable {
    public var text: String
    public var provinceCode: String
    public var provinceName: String
    public var districtCode: String
    public var districtName: String
    public var variant: String
}

/// Generates addresses across China from the division list for admin-level parsing comparisons (cpca, JioNLP):
/// full 省市区 chains, chains without the province, short forms (江苏盐城大丰), a district alone (only where its
/// name is unique in the country, so the answer is defined) and district + township; then a road and a number
/// from a pool of common road names, some of which contain place names (中山路, 延安路, 南京路).
public struct NationalAddressGenerator {
    public let divisions: AdminDivisions
    public let seed: UInt64

    public init(divisions: AdminDivisions, seed: UInt64 = 2260) {
        self.divisions = divisions
        self.seed = seed
    }

    static let roads = ["人民路", "解放路", "建设路", "中山路", "文化路", "新华路", "胜利路", "延安路", "南京路", "和平路", "青年路", "光明路", "朝阳路", "长江路", "黄河路", "工业路"]

    public func generate(count: Int) -> [NationalAddress] {
        var rng = SeededGenerator(seed: seed)
        let counties = divisions.divisions.filter { $0.level == 3 }
        var nameCount: [String: Int] = [:]
        for c in counties { nameCount[c.name, default: 0] += 1 }
        var townships: [String: [AdminDivision]] = [:]
        for d in divisions.divisions where d.level == 4 { townships[d.parentCode ?? "", default: []].append(d) }
        var out: [NationalAddress] = []
        while out.count < count {
            guard let county = rng.pick(counties) else { break }
            let chain = divisions.chain(of: county.code)
            guard let province = chain.first, province.level == 1 else { continue }
            // Municipalities (北京市, 上海市) have no prefecture level: the province stands in for it.
            let city = chain.first { $0.level == 2 } ?? province
            let street = "\(rng.pick(Self.roads)!)\(rng.int(in: 1...300))号"
            let variants = ["full", "no_province", "short_forms", "district_only", "with_township"]
            var variant = rng.pick(variants)!
            if variant == "district_only" && nameCount[county.name] != 1 { variant = "full" }
            let text: String
            switch variant {
            case "no_province":
                text = city.name + county.name + street
            case "short_forms":
                let p = AdminDivisions.shortForms(of: province).first ?? province.name
                let c = city.code == province.code ? "" : AdminDivisions.shortForms(of: city).first ?? city.name
                text = p + c + county.name + street
            case "district_only":
                text = county.name + street
            case "with_township":
                let town = townships[county.code].flatMap { rng.pick($0)?.name } ?? ""
                text = province.name + (city.code == province.code ? "" : city.name) + county.name + town + street
            default:
                text = province.name + (city.code == province.code ? "" : city.name) + county.name + street
            }
            out.append(
                NationalAddress(
                    text: text, provinceCode: province.code, provinceName: province.name, districtCode: county.code, districtName: county.name,
                    variant: variant))
        }
        return out
    }
}
