@testable import GeoAddress
import Testing

@Suite("Name index internals")
struct NameIndexTests {
    @Test("UInt64Map keeps every key through growth, including keys that differ only in high or low bits")
    func mapKeepsEveryKey() {
        var map = UInt64Map<Int>()
        // Trie edge keys are node << 32 | scalar: many share their low or their high half.
        let keys: [UInt64] = (0..<3_000).flatMap { i -> [UInt64] in [UInt64(i) << 32 | 0x4EBA, 0x1_0000_0000 | UInt64(i), UInt64(i) &* 0x9E37_79B9_7F4A_7C15] }
        for (n, key) in keys.enumerated() { map.set(key, n) }
        #expect(map.count == Set(keys).count)
        for (n, key) in keys.enumerated() where keys.firstIndex(of: key) == n { #expect(map[key] == n) }
        #expect(map[0xDEAD_BEEF_0000_0001] == nil)
        var visited = 0
        map.forEach { key, value in
            visited += 1
            #expect(keys[value] == key)
        }
        #expect(visited == map.count)
    }

    @Test("UInt64Map updates values in place, starting from the initial value")
    func mapUpdatesInPlace() {
        var map = UInt64Map<[Int32]>()
        for k in 0..<100 { map.update(UInt64(k % 7), initial: [-1]) { $0.append(Int32(k)) } }
        #expect(map.count == 7)
        #expect(map[3] == [-1] + stride(from: 3, to: 100, by: 7).map(Int32.init))
        #expect(map[7] == nil)
    }
}
