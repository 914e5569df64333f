import Foundation
import Testing
@testable import LienThongConfig
import LienThongCore

@Suite("units.csv")
struct UnitsCSVTests {
    private func registry(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Registry {
        switch UnitsCSV.parse(text, file: "units.csv") {
        case .success(let registry): return registry
        case .failure(let error):
            Issue.record("refused: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    private func problems(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigError.Problem] {
        switch UnitsCSV.parse(text, file: "units.csv") {
        case .success:
            Issue.record("expected units.csv to be refused", sourceLocation: sourceLocation)
            return []
        case .failure(let error):
            return error.problems
        }
    }

    @Test func readsUnitsInFileOrder() throws {
        let r = try registry(Fixture.units)
        #expect(r.ids == ["000.00.00.H41", "000.00.21.H41", "000.00.22.H41", "000.00.41.H41", "000.01.41.H41"])
        #expect(r["000.00.00.H41"] == Unit(id: "000.00.00.H41", name: "UBND tỉnh Nghệ An", level: .province))
        #expect(r["000.01.41.H41"]?.parent == "000.00.41.H41")
        #expect(r["000.00.21.H41"]?.signer == "DEMO-ONLY")
    }

    @Test func quotedFieldsAsASpreadsheetWritesThem() throws {
        let r = try registry("""
            id,name,level,parent,signer
            "000.00.00.H41","UBND tỉnh Nghệ An, Việt Nam",province,,
            000.00.21.H41,"Sở ""Thông tin"" và Truyền thông",department,,"CÔNG TY ""A"", CHI NHÁNH"
            """)
        #expect(r["000.00.00.H41"]?.name == "UBND tỉnh Nghệ An, Việt Nam")
        #expect(r["000.00.21.H41"]?.name == "Sở \"Thông tin\" và Truyền thông")
        #expect(r["000.00.21.H41"]?.signer == "CÔNG TY \"A\", CHI NHÁNH")
    }

    @Test func byteOrderMarkAndCRLFAsExcelSavesThem() throws {
        let text = "id,name,level,parent,signer\r\n000.00.00.H41,UBND tỉnh Nghệ An,province,,\r\n000.00.41.H41,\"UBND thành phố Vinh\",district,,\r\n"
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array(text.utf8)
        let fixture = try Fixture(config: "")
        try fixture.write(Data(bytes), to: "excel.csv")
        let r = try UnitsCSV.load(path: fixture.folder + "/excel.csv")
        #expect(r.ids == ["000.00.00.H41", "000.00.41.H41"])
        #expect(r["000.00.41.H41"]?.name == "UBND thành phố Vinh")
        #expect(r["000.00.41.H41"]?.signer == "")
    }

    @Test func columnOrderComesFromTheHeaderAndSignerIsOptional() throws {
        let r = try registry("Level, ID ,parent,name\nprovince,000.00.00.H41,,UBND tỉnh\ncommune,000.01.41.H41,000.00.41.H41,UBND phường\ndistrict,000.00.41.H41,,UBND thành phố Vinh\n")
        #expect(r["000.01.41.H41"] == Unit(id: "000.01.41.H41", name: "UBND phường", level: .commune, parent: "000.00.41.H41"))
    }

    @Test func spacesAroundValuesAndBlankRowsAreIgnored() throws {
        let r = try registry("id,name,level,parent,signer\n 000.00.00.H41 , UBND tỉnh ,Province,,\n\n,,,,\n")
        #expect(r.ids == ["000.00.00.H41"])
        #expect(r["000.00.00.H41"]?.name == "UBND tỉnh")
        #expect(r["000.00.00.H41"]?.level == .province)
    }

    @Test func missingTrailingCellsReadAsEmpty() throws {
        let r = try registry("id,name,level,parent,signer\n000.00.00.H41,UBND tỉnh,province\n")
        #expect(r["000.00.00.H41"]?.signer == "")
    }

    // MARK: - Each kind of error names line and column

    @Test func invalidID() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,A,province,\n000 00 21,B,department,\n"))
        #expect(p.description == "units.csv:3: id: \"000 00 21\" is not a valid unit id; use 1 to 64 letters, digits, \".\", \"_\" or \"-\", e.g. 000.00.21.H41")
    }

    @Test func duplicateID() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,A,province,\n000.00.00.H41,B,department,\n"))
        #expect(p.line == 3)
        #expect(p.key == "id")
        #expect(p.message.contains("already used at line 2"))
    }

    @Test func unknownLevel() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,A,provence,\n"))
        #expect(p.line == 2)
        #expect(p.key == "level")
        #expect(p.message.contains("did you mean \"province\"?"))
    }

    @Test func emptyName() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,  ,province,\n"))
        #expect(p.line == 2)
        #expect(p.key == "name")
        #expect(p.message.contains("is empty"))
    }

    @Test func communeWithADepartmentAsParentIsRefused() throws {
        let p = try single(problems("id,name,level,parent\n000.00.22.H41,Sở Tài chính,department,\n000.01.41.H41,UBND phường,commune,000.00.22.H41\n"))
        #expect(p.line == 3)
        #expect(p.key == "parent")
        #expect(p.message.contains("is a department, not a district"))
    }

    /// Since 1 July 2025 a commune reports to the province: an empty parent is
    /// fine; an unknown one is still refused.
    @Test func communeWithoutOrWithUnknownParent() throws {
        let ps = problems("id,name,level,parent\n000.00.41.H41,Vinh,district,\n000.01.41.H41,A,commune,\n000.02.41.H41,B,commune,000.00.41.H4\n")
        #expect(ps.map(\.line) == [4])
        #expect(ps.allSatisfy { $0.key == "parent" })
        #expect(ps.first?.message.contains("did you mean \"000.00.41.H41\"?") == true)
        let r = try registry("id,name,level,parent\n000.01.41.H41,Phường Trường Vinh,commune,\n")
        #expect(r["000.01.41.H41"]?.parent == "")
    }

    @Test func communeMayComeBeforeItsDistrict() throws {
        let r = try registry("id,name,level,parent\n000.01.41.H41,A,commune,000.00.41.H41\n000.00.41.H41,Vinh,district,\n")
        #expect(r.units.count == 2)
    }

    @Test func onlyCommunesHaveAParent() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,A,province,\n000.00.41.H41,Vinh,district,000.00.00.H41\n"))
        #expect(p.line == 3)
        #expect(p.key == "parent")
        #expect(p.message.contains("only communes"))
    }

    @Test func tooManyFieldsHintsAtQuoting() throws {
        let p = try single(problems("id,name,level,parent,signer\n000.00.00.H41,UBND tỉnh, Nghệ An,province,,\n"))
        #expect(p.line == 2)
        #expect(p.message.contains("double quotes"))
    }

    @Test func headerProblems() throws {
        let unknown = try single(problems("id,nmae,level,parent\n"))
        #expect(unknown.line == 1)
        #expect(unknown.key == "nmae")
        #expect(unknown.message.contains("did you mean \"name\"?"))

        let missing = problems("id,name\n000.00.00.H41,A\n")
        #expect(missing.count == 1)
        #expect(missing.first?.message.contains("level, parent") == true)

        let semicolons = try single(problems("id;name;level;parent\n"))
        #expect(semicolons.message.contains("semicolons"))

        let twice = try single(problems("id,name,level,parent,id\n"))
        #expect(twice.message.contains("twice"))

        let empty = try single(problems(""))
        #expect(empty.message.contains("is empty"))

        let headerOnly = try single(problems("id,name,level,parent\n"))
        #expect(headerOnly.message.contains("no units"))
    }

    @Test func unnamedColumnsMayExistWhileEmpty() throws {
        _ = try registry("id,name,level,parent,signer,,\n000.00.00.H41,A,province,,,,\n")
        let p = try single(problems("id,name,level,parent,\n000.00.00.H41,A,province,,note\n"))
        #expect(p.key == "column 5")
    }

    @Test func unclosedQuoteNamesTheLineItOpensOn() throws {
        let ps = problems("id,name,level,parent\n000.00.00.H41,A,province,\n000.00.21.H41,\"Sở Tài chính,department,\n000.00.22.H41,B,department,\n")
        #expect(ps.first?.line == 3)
        #expect(ps.first?.message.contains("never closed") == true)
    }

    @Test func textAfterAClosingQuote() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,\"A\" B,province,\n"))
        #expect(p.line == 2)
        #expect(p.message.contains("after a closing quote"))
    }

    @Test func aLineBreakInsideANameIsRefused() throws {
        let p = try single(problems("id,name,level,parent\n000.00.00.H41,\"UBND\ntỉnh\",province,\n"))
        #expect(p.line == 2)
        #expect(p.key == "name")
    }

    @Test func everyBadRowIsReported() {
        let ps = problems("id,name,level,parent\nbad id,A,province,\n000.00.21.H41,,department,\n000.00.22.H41,C,dept,\n")
        #expect(ps.map(\.line) == [2, 3, 4])
        #expect(ps.map(\.key) == ["id", "name", "level"])
    }

    @Test func encodingProblems() throws {
        let fixture = try Fixture(config: "")
        try fixture.write(Data([0xFF, 0xFE, 0x69, 0x00]), to: "utf16.csv")
        let utf16 = #expect(throws: ConfigError.self) { try UnitsCSV.load(path: fixture.folder + "/utf16.csv") }
        #expect(utf16?.message.contains("UTF-16") == true)

        // "Sở" in Windows-1258 is not UTF-8.
        try fixture.write(Data("id,name,level,parent\n000.00.00.H41,S".utf8 + [0xC6, 0x0A]), to: "cp1258.csv")
        let legacy = #expect(throws: ConfigError.self) {
            try UnitsCSV.load(path: fixture.folder + "/cp1258.csv", displayName: "config/units.csv")
        }
        #expect(legacy?.file == "config/units.csv")
        #expect(legacy?.line == 2)
        #expect(legacy?.message.contains("UTF-8") == true)
    }

    @Test func csvReaderKeepsRecordStartLines() {
        let (records, failures) = CSVReader.parse("a,b\n\"x\ny\",z\nlast,\n")
        #expect(failures.isEmpty)
        #expect(records == [
            CSVRecord(line: 1, fields: ["a", "b"]),
            CSVRecord(line: 2, fields: ["x\ny", "z"]),
            CSVRecord(line: 4, fields: ["last", ""]),
        ])
    }

    @Test func csvReaderQuotesAndBrokenRecords() {
        // Doubled quotes, a stray quote kept in an unquoted field, an empty line,
        // a record ending at the end of the input without a line break.
        let clean = CSVReader.parse("\"a \"\"b\"\"\",x\"y\n\n\"\",")
        #expect(clean.failures.isEmpty)
        #expect(clean.records == [
            CSVRecord(line: 1, fields: ["a \"b\"", "x\"y"]),
            CSVRecord(line: 2, fields: [""]),
            CSVRecord(line: 3, fields: ["", ""]),
        ])

        // Text after a closing quote loses only its own record; the line of the
        // failure is where the quote closed.
        let after = CSVReader.parse("a\n\"b\nc\"d,e\nf\n")
        #expect(after.records == [CSVRecord(line: 1, fields: ["a"]), CSVRecord(line: 4, fields: ["f"])])
        #expect(after.failures.map(\.line) == [3])

        // A quote never closed ends the reading; its partial record is dropped.
        let unclosed = CSVReader.parse("a\nb,\"c\nd\n")
        #expect(unclosed.records == [CSVRecord(line: 1, fields: ["a"])])
        #expect(unclosed.failures.map(\.line) == [2])
        #expect(unclosed.failures.first?.message.contains("never closed") == true)
    }
}

/// The lifetime columns of issue 13 (SPEC §8).
@Suite("units.csv: lifetimes and successors")
struct UnitsCSVLifetimeTests {
    static let header = "id,name,level,parent,signer,active_from,active_to,successor\n"
    static let office = "000.00.00.H41,UBND tỉnh Nghệ An,province,,,,,\n"

    private func parse(_ rows: String) -> Result<Registry, ConfigError> {
        UnitsCSV.parse(Self.header + Self.office + rows, file: "units.csv")
    }

    private func problems(_ rows: String) -> [ConfigError.Problem] {
        if case .failure(let e) = parse(rows) { return e.problems }
        Issue.record("expected units.csv to be refused")
        return []
    }

    @Test func readsDatesAndSuccessor() throws {
        let r = try parse("000.00.21.H41,Sở TT&TT,department,,,,2025-02-28,000.00.15.H41\n000.00.15.H41,Sở KH&CN,department,,,,,\n000.30.01.H41,Phường Thành Vinh,commune,,,2025-07-01,,\n").get()
        #expect(r["000.00.21.H41"]?.activeTo == CivilDate(year: 2025, month: 2, day: 28))
        #expect(r["000.00.21.H41"]?.successor == "000.00.15.H41")
        #expect(r["000.30.01.H41"]?.activeFrom == CivilDate(year: 2025, month: 7, day: 1))
        #expect(r["000.00.15.H41"]?.activeFrom == nil)
    }

    @Test func badDatesAreLocatedWithAHint() {
        let ps = problems("000.00.21.H41,A,department,,,01/03/2025,,\n000.00.22.H41,B,department,,,,2025-02-30,\n")
        #expect(ps.map(\.line) == [3, 4])
        #expect(ps.map(\.key) == ["active_from", "active_to"])
        #expect(ps[0].message.contains("write 2025-03-01"))
        #expect(ps[1].message.contains("is not a date"))
        #expect(ps[0].description.hasPrefix("units.csv:3: active_from: "))
    }

    @Test func endBeforeStartIsRefused() {
        let ps = problems("000.00.21.H41,A,department,,,2025-07-01,2025-06-30,\n")
        #expect(ps.count == 1)
        #expect(ps.first?.key == "active_to")
        #expect(ps.first?.message.contains("before active_from 2025-07-01") == true)
    }

    @Test func successorMustExistAndBeActiveAfterTheEnd() {
        let ps = problems("""
            000.00.21.H41,A,department,,,,2025-02-28,000.00.15.H4
            000.00.22.H41,B,department,,,,2025-02-28,000.00.23.H41
            000.00.23.H41,C,department,,,2025-04-01,,
            000.00.24.H41,D,department,,,,,000.00.23.H41

            """)
        #expect(ps.map(\.line) == [3, 4, 6])
        #expect(ps.allSatisfy { $0.key == "successor" })
        #expect(ps[0].message.contains("is not a unit in this file"))
        #expect(ps[1].message.contains("is not active on 2025-03-01"))
        #expect(ps[2].message.contains("active_to is empty"))
    }

    @Test func successorCyclesAndSelfAreRefused() {
        let ps = problems("""
            000.00.21.H41,A,department,,,,2025-02-28,000.00.21.H41
            000.00.22.H41,B,department,,,,2025-02-28,000.00.23.H41
            000.00.23.H41,C,department,,,,2025-03-31,000.00.22.H41

            """)
        #expect(ps.map(\.line) == [3, 4, 5])
        #expect(ps[0].message.contains("its own successor"))
        #expect(ps[1].message.contains("round in a circle"))
    }

    @Test func oldFiveColumnFilesStillLoad() throws {
        let r = try UnitsCSV.parse(Fixture.units, file: "units.csv").get()
        #expect(r.units.allSatisfy { $0.activeFrom == nil && $0.activeTo == nil && $0.successor.isEmpty })
    }
}
