import Foundation
import GeoCore

/// Files sealed in chunks (backups): each 1 MiB of plaintext is a ``Sealing`` value whose associated data is the
/// file's random id, the chunk's index and whether it is the last, so a chunk moved, dropped, repeated or cut off
/// at the end fails the check. Memory stays at one chunk whatever the file's size.
///
/// Layout: `CGSEAL1\n` | file id (16) | then per chunk: sealed length (4, big-endian) | sealed chunk.
public enum SealedFile {
    static let magic = Array("CGSEAL1\n".utf8)
    static let chunkSize = 1 << 20

    /// What sealing or opening a file measured: the SM3 of the plaintext and of the sealed file, and sizes.
    public struct Digests: Sendable, Hashable {
        public var plaintextSM3: String
        public var sealedSM3: String
        public var plaintextBytes: Int
        public var sealedBytes: Int
    }

    /// Seals `input` into a new file `output` under `key`.
    public static func seal(_ input: URL, to output: URL, key: DataKey) throws(GeoError) -> Digests {
        let reader = try open(input)
        defer { try? reader.close() }
        let writer = try create(output)
        defer { try? writer.close() }
        let plain = try SM3Hasher()
        let sealed = try SM3Hasher()
        let fileID = try SecureRandom.bytes(16)
        var sizes = (plain: 0, sealed: 0)
        func emit(_ bytes: [UInt8]) throws(GeoError) {
            try write(bytes, to: writer, path: output)
            try sealed.update(bytes)
            sizes.sealed += bytes.count
        }
        try emit(magic + fileID)
        var chunk = try read(reader, path: input)
        var index: UInt64 = 0
        while true {
            let next = chunk.count == chunkSize ? try read(reader, path: input) : []
            let last = next.isEmpty
            try plain.update(chunk)
            sizes.plain += chunk.count
            let box = try Sealing.seal(chunk, associatedData: associatedData(fileID, index, last), key: key)
            try emit(withUnsafeBytes(of: UInt32(box.count).bigEndian, Array.init) + box)
            if last { break }
            chunk = next
            index += 1
        }
        return Digests(
            plaintextSM3: HexText.encode(try plain.finalize()), sealedSM3: HexText.encode(try sealed.finalize()),
            plaintextBytes: sizes.plain, sealedBytes: sizes.sealed)
    }

    /// Opens the sealed `input` into a new file `output`; `integrity_error` (and no output file) when any chunk
    /// fails its check or the file ends before its last chunk.
    public static func open(_ input: URL, to output: URL, keys: DataKeyRing) throws(GeoError) -> Digests {
        let reader = try open(input)
        defer { try? reader.close() }
        let writer = try create(output)
        var finished = false
        defer {
            try? writer.close()
            if !finished { try? FileManager.default.removeItem(at: output) }
        }
        let plain = try SM3Hasher()
        let sealed = try SM3Hasher()
        var sizes = (plain: 0, sealed: 0)
        func take(_ count: Int) throws(GeoError) -> [UInt8] {
            let bytes = try read(reader, path: input, count: count)
            guard bytes.count == count else {
                throw GeoError(code: .integrityError, message: "\(input.lastPathComponent) ends before its last sealed chunk")
            }
            try sealed.update(bytes)
            sizes.sealed += count
            return bytes
        }
        let header = try take(magic.count + 16)
        guard Array(header.prefix(magic.count)) == magic else {
            throw GeoError(code: .integrityError, message: "\(input.lastPathComponent) is not a CityGeo sealed file")
        }
        let fileID = Array(header.suffix(16))
        var index: UInt64 = 0
        while true {
            let length = try take(4).reduce(0) { $0 << 8 | Int($1) }
            guard length <= chunkSize + Sealing.overhead + SM4Cipher.blockSize else {
                throw GeoError(code: .integrityError, message: "\(input.lastPathComponent): chunk \(index) has an impossible length")
            }
            let box = try take(length)
            let last = try read(reader, path: input, count: 1, peek: true).isEmpty
            let chunk = try Sealing.open(box, associatedData: associatedData(fileID, index, last), keys: keys)
            try write(chunk, to: writer, path: output)
            try plain.update(chunk)
            sizes.plain += chunk.count
            if last { break }
            index += 1
        }
        finished = true
        return Digests(
            plaintextSM3: HexText.encode(try plain.finalize()), sealedSM3: HexText.encode(try sealed.finalize()),
            plaintextBytes: sizes.plain, sealedBytes: sizes.sealed)
    }

    /// The SM3 of a file's bytes, read in chunks.
    public static func sm3(of file: URL) throws(GeoError) -> String {
        let reader = try open(file)
        defer { try? reader.close() }
        let hasher = try SM3Hasher()
        while true {
            let chunk = try read(reader, path: file)
            if chunk.isEmpty { break }
            try hasher.update(chunk)
        }
        return HexText.encode(try hasher.finalize())
    }

    private static func associatedData(_ fileID: [UInt8], _ index: UInt64, _ last: Bool) -> [UInt8] {
        fileID + withUnsafeBytes(of: index.bigEndian, Array.init) + [last ? 1 : 0]
    }

    private static func open(_ url: URL) throws(GeoError) -> FileHandle {
        do { return try FileHandle(forReadingFrom: url) } catch {
            throw GeoError(code: .ioError, message: "cannot read \(url.path)", underlying: "\(error)")
        }
    }

    /// A new file (never an existing one: sealing and opening write fresh files only), readable by its owner.
    private static func create(_ url: URL) throws(GeoError) -> FileHandle {
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw GeoError(code: .ioError, message: "\(url.path) exists; sealing and opening write new files only")
        }
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: url.path)
        else { throw GeoError(code: .ioError, message: "cannot create \(url.path)") }
        return handle
    }

    private static func read(_ handle: FileHandle, path: URL, count: Int = chunkSize, peek: Bool = false) throws(GeoError) -> [UInt8] {
        do {
            let offset = peek ? try handle.offset() : 0
            var bytes: [UInt8] = []
            while bytes.count < count {
                guard let data = try handle.read(upToCount: count - bytes.count), !data.isEmpty else { break }
                bytes += data
            }
            if peek { try handle.seek(toOffset: offset) }
            return bytes
        } catch {
            throw GeoError(code: .ioError, message: "cannot read \(path.path)", underlying: "\(error)")
        }
    }

    private static func write(_ bytes: [UInt8], to handle: FileHandle, path: URL) throws(GeoError) {
        do { try handle.write(contentsOf: bytes) } catch {
            throw GeoError(code: .ioError, message: "cannot write \(path.path)", underlying: "\(error)")
        }
    }
}
