import GeoCore
import GeoGrids

extension AdminDivisions {
    /// The list as the region tree's national divisions: provinces, prefectures, counties and townships (the
    /// street tier), each with its short forms as aliases (江苏, 盐城, 大丰) and, where ``boundaries`` has them,
    /// its representative point and its outline's box.
    public var regionTreeDivisions: [RegionTree.Division] {
        divisions.compactMap { division in
            guard let tier = RegionTier(rawValue: division.level) else { return nil }
            return RegionTree.Division(
                code: division.code, parentCode: division.parentCode, name: division.name, tier: tier,
                aliases: Self.shortForms(of: division), point: boundaries.point(of: division.code), bbox: boundaries.bounds(of: division.code))
        }
    }
}
