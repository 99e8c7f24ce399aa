import FuzzChecks
import GeoCore

/// The CSV reader. Any bytes must either throw a GeoError or give records that the CSV writer writes back to
/// bytes the reader reads as the same fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let records = try? CSVReader.read(bytes) else { return 0 }
    FuzzCheck.require(records.allSatisfy { !$0.fields.isEmpty }, "CSV reader produced a record without fields")
    FuzzCheck.require(zip(records, records.dropFirst()).allSatisfy { $0.line < $1.line }, "CSV record lines do not increase")
    let fields = records.map(\.fields)
    let written = CSVWriter.encode(fields)
    do {
        let back = try CSVReader.read(written).map(\.fields)
        FuzzCheck.require(back == fields, "CSV round trip changed the records: \(fields) became \(back)")
    } catch {
        FuzzCheck.require(false, "written CSV does not read back: \(error)")
    }
    return 0
}
