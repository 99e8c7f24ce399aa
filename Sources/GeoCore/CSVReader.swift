import Foundation

/// One CSV record: its fields and the line of the input where it starts (1-based; quoted fields may span lines).
public struct CSVRecord: Hashable, Sendable {
    public var fields: [String]
    public var line: Int
}

/// An RFC 4180 reader: fields separated by a delimiter, records by CRLF or LF, fields containing the
/// delimiter, quotes or line breaks enclosed in double quotes with quotes doubled inside.
///
/// It is strict where leniency would hide a broken file: a quote inside an unquoted field, text after a
/// closing quote, or an unterminated quoted field are errors (`invalid_csv`) naming the line. The input must
/// be UTF-8 (a leading BOM is dropped); anything else is `invalid_encoding`, naming the first bad line, with
/// the iconv command for the GBK files common in China.
public enum CSVReader {
    /// Reads every record of `bytes`.
    public static func read(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) throws(GeoError) -> [CSVRecord] {
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        try checkUTF8(bytes, from: start)

        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var i = start
        let n = bytes.count

        // Whether the current record had a quoted field: `""` alone on a line is a record, not a blank line.
        var recordQuoted = false

        func endRecord() {
            // A blank line is one empty field: skip it rather than report a record of the wrong width.
            if recordQuoted || !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(fields: fields, line: recordLine))
            }
            fields.removeAll(keepingCapacity: true)
            recordQuoted = false
        }

        while i < n {
            if bytes[i] == quote {
                // Quoted field: runs to the next quote not doubled.
                let openedAt = line
                recordQuoted = true
                i += 1
                while true {
                    guard i < n else {
                        throw GeoError(
                            code: .invalidCSV, message: "quoted field opened on line \(openedAt) is never closed",
                            location: "line \(openedAt), field \(fields.count + 1)")
                    }
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < n && bytes[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if b == lf { line += 1 }
                    field.append(b)
                    i += 1
                }
                if i < n && bytes[i] != delimiter && bytes[i] != cr && bytes[i] != lf {
                    throw GeoError(
                        code: .invalidCSV,
                        message: "unexpected character after the closing quote of field \(fields.count + 1) on line \(line)"
                            + " (a quote inside a field must be doubled)",
                        location: "line \(line), field \(fields.count + 1)")
                }
            } else {
                while i < n && bytes[i] != delimiter && bytes[i] != cr && bytes[i] != lf {
                    if bytes[i] == quote {
                        throw GeoError(
                            code: .invalidCSV,
                            message: "quote inside unquoted field \(fields.count + 1) on line \(line): "
                                + "enclose the field in quotes and double the quote",
                            location: "line \(line), field \(fields.count + 1)")
                    }
                    field.append(bytes[i])
                    i += 1
                }
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            guard i < n else { break }
            if bytes[i] == delimiter {
                i += 1
                if i == n { fields.append("") }  // a trailing delimiter ends with an empty field
                continue
            }
            // A line break: CRLF, LF, or a lone CR.
            if bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
            i += 1
            line += 1
            endRecord()
            recordLine = line
        }
        if !fields.isEmpty { endRecord() }
        return records
    }

    /// Throws `invalid_encoding` naming the first line that is not valid UTF-8. Splitting on LF is safe
    /// because 0x0A never occurs inside a multi-byte UTF-8 sequence.
    public static func checkUTF8(_ bytes: [UInt8], from start: Int) throws(GeoError) {
        var line = 1
        var lineStart = start
        var index = start
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
                if String(validating: bytes[lineStart..<index], as: UTF8.self) == nil {
                    throw GeoError(
                        code: .invalidEncoding,
                        message: "file is not UTF-8 (GBK?): convert with iconv -f GBK -t UTF-8; first invalid bytes on line \(line)",
                        location: "line \(line)")
                }
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
    }
}

/// RFC 4180 output: fields with a comma, quote or line break are quoted with quotes doubled; LF line ends.
public enum CSVWriter {
    /// One field, quoted when it must be. A leading byte-order mark is quoted too: bare at the start of a file,
    /// the reader would drop it as the file's BOM.
    public static func field(_ text: String) -> String {
        // Bytes, not Characters, as the reader reads them: CRLF is one Character, equal to neither "\r" nor "\n",
        // and a quote followed by a combining mark is one Character that is not a quote.
        let quote = UInt8(ascii: "\"")
        let mustQuote = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == quote || $0 == 0x0A || $0 == 0x0D }
        guard mustQuote || text.unicodeScalars.first == "\u{FEFF}" else { return text }
        var out: [UInt8] = [quote]
        for b in text.utf8 {
            out.append(b)
            if b == quote { out.append(quote) }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    /// One record with its line end. A record of one empty field is written `""`: written bare it would be a
    /// blank line, which the reader skips.
    public static func line(_ fields: [String]) -> String {
        if fields == [""] { return "\"\"\n" }
        return fields.map(field).joined(separator: ",") + "\n"
    }

    /// Every record, as UTF-8.
    public static func encode(_ rows: [[String]]) -> [UInt8] { Array(rows.map(line).joined().utf8) }
}
