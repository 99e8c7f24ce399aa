import GeoCore
import GeoGrids
import Testing

@Suite struct RegionCodeTests {
    @Test(arguments: [
        ("320904", RegionLevel.district), ("320904001", .street), ("320904001002", .community), ("320904001002003", .unitGrid),
    ])
    func validCodesHaveTheirLevel(code: String, level: RegionLevel) throws {
        let parsed = try RegionCode(code)
        #expect(parsed.level == level)
        #expect(parsed.rawValue == code)
    }

    @Test func parentsAndAncestorsFollowThePrefix() throws {
        let grid = try RegionCode("320904001002003")
        #expect(grid.parent?.rawValue == "320904001002")
        #expect(grid.parent?.parent?.rawValue == "320904001")
        #expect(grid.ancestor(at: .district)?.rawValue == "320904")
        #expect(grid.ancestor(at: .unitGrid) == grid)
        #expect(try RegionCode("320904").parent == nil)
        #expect(try RegionCode("320904001").ancestor(at: .community) == nil)
        #expect(grid.isWithin(try RegionCode("320904001")))
        #expect(!grid.isWithin(try RegionCode("320904002")))
    }

    @Test(arguments: [
        ("32090400100200", "has 14 digits; region codes have 6 (district), 9 (street), 12 (community) or 15 (unit grid)"),
        ("3209040010020031", "has 16 digits"),
        ("", "has 0 digits"),
        ("32090A001", "has a non-digit \"A\" at position 6"),
        ("320904 001", "has a non-digit \" \" at position 7"),
        ("320904000", "has street sequence 000 at digits 7-9; sequences start at 001"),
        ("320904001002000", "has unit grid sequence 000 at digits 13-15"),
        ("003209", "starts with a province part of 00"),
        ("３２０９０４", "has a non-digit \"３\" at position 1"),
    ])
    func invalidCodesAreRefusedWithAReason(code: String, reason: String) {
        #expect {
            _ = try RegionCode(code)
        } throws: { error in
            guard let error = error as? GeoError else { return false }
            return error.code == .invalidCode && error.message.contains(reason)
        }
    }

    @Test func expectedLevelIsEnforced() {
        #expect {
            _ = try RegionCode("320904001002", expecting: .unitGrid)
        } throws: { ($0 as? GeoError)?.message == "unit grid code must have 15 digits, \"320904001002\" has 12 (a community code)" }
    }

    @Test func declaredParentMustAgree() throws {
        let grid = try RegionCode("320904001002003")
        try grid.checkParent("320904001002", field: "community_code")
        #expect {
            try grid.checkParent("320904001001", field: "community_code")
        } throws: { error in
            let error = error as? GeoError
            return error?.code == .inconsistentCode
                && error?.message == "unit grid 320904001002003 has community_code 320904001001, but its code says 320904001002"
        }
    }

    @Test func responsibilityGridsReadTheirMembers() throws {
        let feature = Feature(
            geometry: nil,
            properties: ["code": "ZR001", "name": "健康路责任网格", "kind": "work", "members": "320904001001001/320904001001002"])
        let grid = try ResponsibilityGrid(feature: feature, index: 0)
        #expect(grid.kind == .work)
        #expect(grid.members.map(\.rawValue) == ["320904001001001", "320904001001002"])
        let bad = Feature(geometry: nil, properties: ["code": "ZR002", "name": "x", "members": "320904001001001/32090400100"])
        #expect {
            _ = try ResponsibilityGrid(feature: bad, index: 3)
        } throws: { ($0 as? GeoError)?.location == "features[3].properties.members" }
    }
}
