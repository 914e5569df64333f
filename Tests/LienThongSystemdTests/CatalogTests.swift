import Testing
@testable import LienThongSystemd

#if canImport(Glibc)
import Glibc
#endif

/// systemd/lienthong.catalog must explain every MessageID, in English and in
/// Vietnamese, and refer only to fields lienthongd really logs: a typo in
/// either file would leave `journalctl -x` silent or print a raw @FIELD@.
@Suite("Journal catalog")
struct CatalogTests {
    struct Entry {
        let id: String
        let language: String?
        let headers: [String: String]
        let body: String
    }

    static func catalogPath() -> String {
        // Tests/LienThongSystemdTests/CatalogTests.swift → repository root.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/systemd/lienthong.catalog"
    }

    static func readCatalog() throws -> String { try readFile(catalogPath()) }

    static func readFile(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw CatalogMissing(path: path) }
        defer { fclose(file) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The catalog format of journalctl(1) --update-catalog: "-- ID [LANG]",
    /// header lines up to a blank line, then the text up to the next "-- ".
    static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        var current: (id: String, language: String?, headers: [String: String], body: [Substring], inHeaders: Bool)?
        func finish() {
            if let entry = current {
                entries.append(Entry(id: entry.id, language: entry.language, headers: entry.headers,
                                     body: entry.body.joined(separator: "\n")))
            }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- ") {
                finish()
                let words = line.dropFirst(3).split(separator: " ")
                current = (String(words[0]), words.count > 1 ? String(words[1]) : nil, [:], [], true)
            } else if current == nil {
                continue  // comments before the first entry
            } else if current!.inHeaders {
                if line.isEmpty {
                    current!.inHeaders = false
                } else if let colon = line.firstIndex(of: ":") {
                    current!.headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingSpaces()
                }
            } else {
                current!.body.append(line)
            }
        }
        finish()
        return entries
    }

    @Test func everyMessageIDIsExplainedInEnglishAndVietnamese() throws {
        let entries = Self.parse(try Self.readCatalog())
        for (name, id) in MessageID.all {
            let english = entries.filter { $0.id == id && $0.language == nil }
            let vietnamese = entries.filter { $0.id == id && $0.language == "vi" }
            #expect(english.count == 1, "MessageID.\(name) (\(id)) needs exactly one English entry")
            #expect(vietnamese.count == 1, "MessageID.\(name) (\(id)) needs exactly one Vietnamese entry")
            for entry in english + vietnamese {
                #expect(!(entry.headers["Subject"] ?? "").isEmpty, "\(name) \(entry.language ?? "en"): no Subject")
                #expect(entry.headers["Defined-By"] == "lienthong")
                #expect(entry.body.split(separator: "\n").count >= 2, "\(name) \(entry.language ?? "en"): no explanation")
            }
        }
    }

    @Test func catalogHasNoUnknownIDs() throws {
        let known = Set(MessageID.all.map(\.id))
        let entries = Self.parse(try Self.readCatalog())
        #expect(entries.count == 2 * known.count)
        for entry in entries {
            #expect(known.contains(entry.id), "catalog entry \(entry.id) is not a MessageID")
            #expect(entry.language == nil || entry.language == "vi")
        }
    }

    /// The rejection entry explains every reason code of SPEC §4, in both
    /// languages: the codes are read from LienThongCore's ReasonCode.swift
    /// (this target does not link Core), so a new code without its line fails.
    @Test func rejectionExplainsEveryReasonCode() throws {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let source = try Self.readFile(parts.joined(separator: "/") + "/Sources/LienThongCore/ReasonCode.swift")
        let codes = source.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("case "), let open = line.firstIndex(of: "\"") else { return nil }
            return String(line[line.index(after: open)...].prefix { $0 != "\"" })
        }
        #expect(codes.contains("unit-not-active"))
        let rejected = Self.parse(try Self.readCatalog()).filter { $0.id == MessageID.rejected }
        #expect(rejected.count == 2)
        for entry in rejected {
            for code in codes {
                // "signature-*" and "certificate-*" explain a family at once.
                let family = code.split(separator: "-").first.map { "\($0)-*" } ?? code
                #expect(entry.body.contains(code) || entry.body.contains(family),
                        "\(entry.language ?? "en") rejection entry does not explain \(code)")
            }
        }
    }

    /// Every @FIELD@ is a field lienthongd writes.
    @Test func substitutionsNameRealFields() throws {
        let fields: Set<String> = [
            JournalField.submission, JournalField.unit, JournalField.key, JournalField.verdict,
            JournalField.reason, JournalField.arrivalNumber, JournalField.recipient,
            JournalField.configFile, JournalField.configLine, JournalField.configKey, JournalField.path,
        ]
        var used: Set<String> = []
        for entry in Self.parse(try Self.readCatalog()) {
            let text = (entry.headers["Subject"] ?? "") + "\n" + entry.body
            let pieces = text.split(separator: "@", omittingEmptySubsequences: false)
            #expect(pieces.count % 2 == 1, "\(entry.id) \(entry.language ?? "en"): an unpaired @")
            // Between two @ signs, at odd positions: the substitutions.
            for (index, piece) in pieces.enumerated() where index % 2 == 1 {
                used.insert(String(piece))
            }
        }
        #expect(used.isSubset(of: fields), "unknown substitutions: \(used.subtracting(fields).sorted())")
    }
}

struct CatalogMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot read the journal catalog at \(path)" }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
