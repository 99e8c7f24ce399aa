/// The real frame of the demo city and the name pools its generator draws from.
///
/// Real: the district code and name, the 13 streets/towns with their official 9-digit codes (Ministry of Civil
/// Affairs list, 2025), the approximate positions of the town seats, the district's 2015 renaming, a handful of
/// well-known places (大丰站, 大丰区人民医院, 荷兰花海, the 麋鹿 reserve, 串场河). Everything below the town level
/// (communities, villages, roads, plates, compounds, POIs) is invented, in the style of the real district.
enum Gazetteer {
    static let provinceCode = "320000"
    static let provinceName = "江苏省"
    static let cityCode = "320900"
    static let cityName = "盐城市"
    static let districtCode = "320904"
    static let districtName = "大丰区"
    /// 大丰市 became 大丰区 of 盐城市 in 2015.
    static let districtFormerName = "大丰市"
    static let districtRenamed = "2015-07-23"

    /// The city centre (about the district government), WGS 84 / CGCS2000.
    static let cityCentre = (longitude: 120.4650, latitude: 33.1990)

    struct Town {
        let code: String
        let name: String
        /// Short form used in road and market names (草堰镇 → 草堰).
        var stem: String { String(name.dropLast()) }
        let seatLongitude: Double
        let seatLatitude: Double
        let aliases: [String]
    }

    /// The two urban streets (街道) that make up the city core.
    static let urbanStreets: [(code: String, name: String, aliases: [String], formerName: String?, formerUntil: String?)] = [
        ("320904002", "大中街道", ["大中"], "大中镇", "2009-12-31"),
        ("320904001", "丰华街道", ["丰华"], nil, nil),
    ]

    /// The eleven towns, with approximate seat positions (WGS 84). 草堰, 白驹 and 刘庄 sit on 串场河 right at the
    /// district's western edge, which the generalised boundary cuts off: their seats are moved ~2-5 km inside.
    static let towns: [Town] = [
        Town(code: "320904101", name: "草堰镇", seatLongitude: 120.325, seatLatitude: 33.035, aliases: []),
        Town(code: "320904102", name: "白驹镇", seatLongitude: 120.310, seatLatitude: 33.125, aliases: []),
        Town(code: "320904103", name: "刘庄镇", seatLongitude: 120.342, seatLatitude: 33.257, aliases: []),
        Town(code: "320904106", name: "小海镇", seatLongitude: 120.445, seatLatitude: 33.100, aliases: []),
        Town(code: "320904107", name: "西团镇", seatLongitude: 120.380, seatLatitude: 33.020, aliases: []),
        Town(code: "320904108", name: "新丰镇", seatLongitude: 120.600, seatLatitude: 33.235, aliases: []),
        Town(code: "320904110", name: "大桥镇", seatLongitude: 120.520, seatLatitude: 33.300, aliases: []),
        Town(code: "320904111", name: "草庙镇", seatLongitude: 120.580, seatLatitude: 33.380, aliases: []),
        Town(code: "320904112", name: "万盈镇", seatLongitude: 120.630, seatLatitude: 33.120, aliases: []),
        Town(code: "320904114", name: "南阳镇", seatLongitude: 120.420, seatLatitude: 33.380, aliases: []),
        Town(code: "320904116", name: "三龙镇", seatLongitude: 120.720, seatLatitude: 33.300, aliases: []),
    ]

    /// Former names of some roads (invented, in the style of real renamings): a geocoder must still find a case
    /// reported as 解放北路 after the road became 人民北路. The date is the last day the old name was in use.
    static let roadFormerNames: [String: [(name: String, until: String)]] = [
        "人民北路": [("解放北路", "1998-06-30")],
        "人民南路": [("解放南路", "1998-06-30")],
        "迎宾路": [("新建路", "2003-12-31")],
        "黄海路": [("海防路", "2001-09-30")],
        "大丰老街": [("中山街", "1985-12-31")],
        "学府路": [("师范路", "2010-05-31")],
    ]

    /// East-west road stems (with 路 appended, or 东路/西路 for split arterials).
    static let eastWestRoadStems = [
        "健康", "幸福", "益民", "永泰", "常新", "新团", "康平", "友谊", "育红", "丰收", "通榆", "跃进",
        "振兴", "和平", "迎宾", "富民", "兴业", "文峰", "朝阳", "建设", "光明", "长江", "淮河", "太湖",
    ]
    /// North-south road stems.
    static let northSouthRoadStems = [
        "人民", "大华", "金凤", "八一", "团结", "工农", "向阳", "东风", "华丰", "银杏", "梅园", "瑞丰",
        "黄海", "西康", "南翔", "通达", "东进", "海丰", "裕华", "新村", "卫星", "青年", "学府", "港城",
    ]
    /// Lane stems (with 巷 or 街 appended).
    static let laneStems = [
        "园林", "花园", "书院", "仓前", "井巷", "鼓楼", "同心", "积善", "兴隆", "太平", "庙前", "米市",
        "草市", "竹行", "北池", "石桥", "杨家", "周家", "陈家", "朱家", "刘家", "吴家", "后河", "前河",
        "新华", "文化", "民生", "公园", "粮站", "供销", "邮电", "影院", "车站", "学堂", "桂花", "紫藤",
    ]
    /// Community stems (with 社区 appended).
    static let communityStems = [
        "健康", "幸福", "人民", "银杏", "瑞丰", "向阳", "新村", "华丰", "城东", "城西", "城南", "城北",
        "东方", "锦绣", "永胜", "金墩", "恒北", "梅园", "迎宾", "育红", "新丰", "丰收", "裕华", "海丰",
        "常新", "益民", "康平", "团结", "友谊", "振兴", "和平", "朝阳", "光明", "文峰", "长江", "港城",
        "八一", "东风", "金凤", "大华", "工农", "黄海", "富民", "兴业", "青年", "学府", "卫星", "南翔",
    ]
    /// Village stems (with 村 appended).
    static let villageStems = [
        "东灶", "新团", "红星", "民主", "联合", "前进", "新民", "双喜", "新洋", "三里", "龙堤", "四岔",
        "富民", "卫东", "南团", "北团", "新跃", "沈灶", "朱湾", "丁溪", "草庙", "陈丰", "戴窑", "施墩",
        "潘堡", "金星", "永丰", "东坝", "西坝", "新华", "光荣", "胜利", "立新", "建华", "中心", "团结",
        "三圩", "五七", "红旗", "幸福", "海丰", "裕丰", "丰西", "六灶", "七灶", "八灶", "北凌", "南凌",
        "复兴", "林场", "渔业", "盐场", "新中", "新北", "新南", "新东", "新西", "和平", "友好", "振东",
    ]
    /// Residential compound names (小区).
    static let compoundNames = [
        "金色家园", "幸福花园", "阳光新城", "瑞丰苑", "银杏湾", "御景湾", "丰华名都", "梅园新村", "康居小区",
        "东方花园", "锦绣江南", "中央公园", "新城国际", "盛世华庭", "万家和园", "黄海明珠", "湖畔佳苑", "紫荆花园",
        "香榭丽舍", "翰林苑", "书香门第", "世纪花园", "城市之光", "春江花月", "水岸华庭", "桂花苑", "百合园",
        "玉兰苑", "海棠湾", "荷花里", "芙蓉苑", "金地花园", "华府名邸", "学府雅居", "颐和家园", "怡景湾",
        "和谐家园", "丽景苑", "滨河花园", "江南水乡", "凤凰城", "新华苑", "民生小区", "健康新村", "人民新村",
        "育红新村", "友谊新村", "益民小区", "永泰花园", "常新苑", "振兴家园", "迎宾花园", "朝阳新村", "文峰苑",
    ]
    /// Rivers that run through the district (real names).
    static let rivers = ["串场河", "川东港", "斗龙港", "王港河", "西潮河"]
}
