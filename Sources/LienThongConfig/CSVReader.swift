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
        let s = Array(text.unicodeScalars)
        var records: [CSVRecord] = []
        var failures: [Failure] = []
        var i = 0
        var line = 1

        /// Skips the rest of a broken record so the next one starts cleanly.
        func skipRecord() {
            while i < s.count {
                defer { i += 1 }
                if s[i] == "\n" { line += 1; return }
            }
        }

        records: while i < s.count {
            let recordLine = line
            var fields: [String] = []
            var field = ""
            fields: while true {
                if i < s.count, s[i] == "\"" {
                    // Quoted field.
                    let openLine = line
                    i += 1
                    while true {
                        guard i < s.count else {
                            failures.append(Failure(line: openLine, message: "a quoted field opened on this line is never closed; add the closing \""))
                            break records
                        }
                        let c = s[i]
                        i += 1
                        if c == "\"" {
                            if i < s.count, s[i] == "\"" {
                                field.unicodeScalars.append("\"")
                                i += 1
                                continue
                            }
                            break
                        }
                        if c == "\n" { line += 1 }
                        field.unicodeScalars.append(c)
                    }
                    if i < s.count, s[i] != ",", s[i] != "\n" {
                        failures.append(Failure(line: line, message: "text after a closing quote; a field in quotes must end at its closing \" (write a quote inside it as \"\")"))
                        skipRecord()
                        continue records
                    }
                } else {
                    while i < s.count, s[i] != ",", s[i] != "\n" {
                        field.unicodeScalars.append(s[i])
                        i += 1
                    }
                }
                fields.append(field)
                field = ""
                if i >= s.count { break fields }
                let separator = s[i]
                i += 1
                if separator == "\n" {
                    line += 1
                    break fields
                }
            }
            records.append(CSVRecord(line: recordLine, fields: fields))
        }
        return (records, failures)
    }
}
