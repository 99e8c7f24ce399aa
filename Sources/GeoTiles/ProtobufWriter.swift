/// The few protocol-buffer encodings a Mapbox Vector Tile needs, written by hand so that the package carries no
/// protobuf runtime: varints, length-delimited fields (strings, nested messages, packed arrays) and 64-bit
/// doubles. Field order follows the .proto numbering, which is what other encoders emit too.
struct ProtobufWriter {
    /// Wire types of the protobuf encoding.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func key(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    mutating func uint(_ field: Int, _ value: UInt64) {
        key(field, .varint)
        varint(value)
    }

    /// A `sint64`: zigzag first, so that small negative numbers stay short.
    mutating func sint(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func bool(_ field: Int, _ value: Bool) { uint(field, value ? 1 : 0) }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func string(_ field: Int, _ value: String) { lengthDelimited(field, Array(value.utf8)) }

    /// A packed `repeated uint32`; nothing at all for an empty array (an absent repeated field).
    mutating func packed(_ field: Int, _ values: [UInt32]) {
        guard !values.isEmpty else { return }
        var payload = ProtobufWriter()
        for value in values { payload.varint(UInt64(value)) }
        lengthDelimited(field, payload.bytes)
    }

    /// A nested message whose fields `body` writes.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        lengthDelimited(field, nested.bytes)
    }
}
