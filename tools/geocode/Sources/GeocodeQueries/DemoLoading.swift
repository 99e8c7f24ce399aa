import Foundation
import GeoAddress
import DemoCity
import GeoStore

/// Loads a demo-city folder (GridData/ and AddressBooks/) into a temporary store and reads its address book
/// and the national division list.
public func loadDemoAddressBook(root: URL) async throws -> (AddressBook, AdminDivisions, SpatialStore) {
    let store = try SpatialStore.temporary()
    try await DemoCityLoader.loadDemoCity(into: store, from: root)
    let divisions = try AdminDivisions.load(from: root.appendingPathComponent("AddressBooks/national/divisions.csv"))
    return (try await AddressBook.load(from: store), divisions, store)
}

/// The pinyin table under `root` (`AddressBooks/national/pinyin.txt`), or an empty one (homophones off) when the
/// city has none.
public func loadPinyinTable(root: URL) throws -> PinyinTable {
    try PinyinTable.load(ifPresentAt: root.appendingPathComponent("AddressBooks/national/pinyin.txt"))
}
