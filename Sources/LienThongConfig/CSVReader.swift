/// One CSV record with the line it starts on (a quoted field may span lines).
struct CSVRecord: Sendable, Equatable {
    var line: Int
    var fields: [String]
}

/// Comma-separated values as spreadsheets write them (RFC 4180): fields separated
/// by commas, records by line ends, fields in double quotes may hold commas, line
/// breaks and doubled quotes (`"Sở ""A"", tỉnh"`). The input's line ends are
/// already "\n" (see `TextFile.decode`).
///
/// A stray quote inside an unquoted field is kept as a character, as spreadsheets
/// do when they open such a file; text after a closing quote is an error, because
/// it means the quoting went wrong and the columns after it cannot be trusted.
enum CSVReader {
    struct Failure: Sendable, Equatable {
        var line: Int
        var message: String
    }

    static func parse(_ text: String) -> (records: [CSVRecord], failures: [Failure]) {
        var reader = Reader(text)
        var records: [CSVRecord] = []
        var failures: [Failure] = []
        while !reader.atEnd {
            do throws(Broken) {
                records.append(try reader.record())
            } catch {
                switch error {
                case .textAfterQuote(let failure):
                    // Only this record is lost: the next line starts a new one.
                    failures.append(failure)
                    reader.skipRecord()
                case .unclosedQuote(let failure):
                    // The quote ran to the end of the input: nothing is left to read.
                    failures.append(failure)
                    return (records, failures)
                }
            }
        }
        return (records, failures)
    }

    /// Why a record could not be read.
    private enum Broken: Error {
        case textAfterQuote(Failure)
        case unclosedQuote(Failure)
    }

    /// The input and the place reached in it.
    private struct Reader {
        let s: [Unicode.Scalar]
        var i = 0
        var line = 1

        init(_ text: String) { s = Array(text.unicodeScalars) }

        var atEnd: Bool { i >= s.count }

        /// One record: fields up to the end of its line (or of the input).
        mutating func record() throws(Broken) -> CSVRecord {
            let recordLine = line
            var fields: [String] = []
            while true {
                fields.append(!atEnd && s[i] == "\"" ? try quotedField() : unquotedField())
                if atEnd { break }
                let separator = s[i]
                i += 1
                if separator == "\n" {
                    line += 1
                    break
                }
            }
            return CSVRecord(line: recordLine, fields: fields)
        }

        /// A field in double quotes, `""` standing for one quote; it may span
        /// lines, and must end at its closing quote.
        mutating func quotedField() throws(Broken) -> String {
            let openLine = line
            i += 1  // the opening quote
            var field = ""
            while true {
                guard !atEnd else {
                    throw .unclosedQuote(Failure(line: openLine, message: "a quoted field opened on this line is never closed; add the closing \""))
                }
                let c = s[i]
                i += 1
                if c == "\"" {
                    guard !atEnd, s[i] == "\"" else { break }
                    i += 1  // a doubled quote
                } else if c == "\n" {
                    line += 1
                }
                field.unicodeScalars.append(c)
            }
            if !atEnd, s[i] != ",", s[i] != "\n" {
                throw .textAfterQuote(Failure(line: line, message: "text after a closing quote; a field in quotes must end at its closing \" (write a quote inside it as \"\")"))
            }
            return field
        }

        /// A field without quotes: everything up to the next comma or line end,
        /// a stray quote included.
        mutating func unquotedField() -> String {
            var field = ""
            while !atEnd, s[i] != ",", s[i] != "\n" {
                field.unicodeScalars.append(s[i])
                i += 1
            }
            return field
        }

        /// Skips the rest of a broken record so the next one starts cleanly.
        mutating func skipRecord() {
            while !atEnd {
                defer { i += 1 }
                if s[i] == "\n" {
                    line += 1
                    return
                }
            }
        }
    }
}
