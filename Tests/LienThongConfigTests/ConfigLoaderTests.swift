import Foundation
import Testing
@testable import LienThongConfig
import LienThongCore

@Suite("Config loader")
struct ConfigLoaderTests {
    // MARK: - Everything parses

    @Test func everyKeyIsRead() throws {
        let fixture = try Fixture(config: """
            [gateway]
            office = "000.00.00.H41"
            spool = "/srv/spool/../lienthong//"
            units = "registry/units.csv"
            language = "en"

            [intake]
            settle = "1500ms"
            pairing_window = "1h30m"
            max_file_size = "10MiB"
            ignore = ["*.tmp", "~$*"]

            [rule]
            citation = "Quyết định số 1/QĐ-UBND"
            effective = { department = 2019-01-01, commune = 2019-06-01 }

            [trust]
            anchors = "pki/anchors"
            crls = "/etc/lienthong/crls"
            tsa = "./pki/../pki/tsa"
            max_clock_skew = "0s"

            [fanout]
            delivery_lifetime = "2d"
            groups = { finance = ["000.00.22.H41", "communes-of-000.00.41.H41"], all-districts = ["districts", "finance"] }
            """, units: nil)
        try fixture.write(Fixture.units, to: "registry/units.csv")
        let config = try fixture.load()

        #expect(config.sourcePath == fixture.configPath)
        #expect(config.office == "000.00.00.H41")
        #expect(config.spool == "/srv/lienthong")
        #expect(config.unitsPath == fixture.folder + "/registry/units.csv")
        #expect(config.language == .en)
        #expect(config.intake.settle == 1.5)
        #expect(config.intake.pairingWindow == 5400)
        #expect(config.intake.maxFileSize == 10 << 20)
        #expect(config.intake.ignore == ["*.tmp", "~$*"])
        #expect(config.rule.citation == "Quyết định số 1/QĐ-UBND")
        #expect(config.rule.effective[.department] == CivilDate(year: 2019, month: 1, day: 1))
        #expect(config.rule.effective[.commune] == CivilDate(year: 2019, month: 6, day: 1))
        // Levels not written keep their default.
        #expect(config.rule.effective[.province] == CivilDate(year: 2018, month: 7, day: 1))
        #expect(config.trust.anchors == fixture.folder + "/pki/anchors")
        #expect(config.trust.crls == "/etc/lienthong/crls")
        #expect(config.trust.tsa == fixture.folder + "/pki/tsa")
        #expect(config.trust.maxClockSkew == 0)
        #expect(config.fanout.deliveryLifetime == 2 * 86400)
        #expect(config.fanout.groups == [
            "finance": ["000.00.22.H41", "communes-of-000.00.41.H41"],
            "all-districts": ["districts", "finance"],
        ])
        #expect(config.registry.units.count == 5)
        #expect(config.registry["000.00.21.H41"]?.signer == "DEMO-ONLY")
    }

    @Test func defaultsApplyWhenKeysAreLeftOut() throws {
        let fixture = try Fixture(config: Fixture.minimal)
        let config = try fixture.load()
        let defaults = GatewayConfig(sourcePath: "", office: "", spool: "", unitsPath: "", registry: Registry(units: []))
        #expect(config.language == .vi)
        #expect(config.intake == defaults.intake)
        #expect(config.rule == defaults.rule)
        #expect(config.fanout == defaults.fanout)
        #expect(config.trust.maxClockSkew == defaults.trust.maxClockSkew)
        // units.csv and the trust folders default to SPEC §8's layout beside the file.
        #expect(config.unitsPath == fixture.folder + "/units.csv")
        #expect(config.trust.anchors == fixture.folder + "/trust/anchors")
        #expect(config.trust.crls == fixture.folder + "/trust/crls")
        #expect(config.trust.tsa == fixture.folder + "/trust/tsa")
    }

    @Test func relativePathsResolveAgainstTheConfigFolder() throws {
        let fixture = try Fixture(config: """
            [gateway]
            office = "000.00.00.H41"
            spool = "../Spool"
            [trust]
            anchors = "demo-trust/./anchors"
            """)
        let config = try fixture.load()
        let parent = (fixture.folder as NSString).deletingLastPathComponent
        #expect(config.spool == parent + "/Spool")
        #expect(config.trust.anchors == fixture.folder + "/demo-trust/anchors")
        #expect(config.unitsPath.hasPrefix("/"))
    }

    @Test func sizeMayBeAnIntegerCountOfBytes() throws {
        let fixture = try Fixture(config: Fixture.minimal + "[intake]\nmax_file_size = 1_048_576\n")
        #expect(try fixture.load().intake.maxFileSize == 1 << 20)
    }

    @Test func theRepositoryExampleLoads() throws {
        // Tests/LienThongConfigTests/ConfigLoaderTests.swift → repository root.
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let config = try ConfigLoader.load(path: root + "/config/lienthong.toml")
        #expect(config.office == "000.00.00.H41")
        #expect(config.spool == root + "/Spool")
        #expect(config.unitsPath == root + "/config/units.csv")
        #expect(config.intake.settle == 2)
        #expect(config.intake.pairingWindow == 24 * 3600)
        #expect(config.trust.anchors == root + "/config/demo-trust/anchors")
        #expect(config.trust.crls == root + "/config/demo-trust/crls")
        #expect(config.trust.tsa == root + "/config/demo-trust/tsa")
        #expect(config.registry["000.00.00.H41"]?.level == .province)
        let levels = Dictionary(grouping: config.registry.units, by: \.level).mapValues(\.count)
        #expect(levels[.province] == 1)
        // The 2026 province with the units of before it, ended, and their successors.
        #expect(levels[.department] == 5)
        #expect(levels[.district] == 2)
        #expect(levels[.commune] == 7)
        let today = CivilDate(year: 2026, month: 1, day: 15)
        #expect(config.registry.units.filter { $0.level == .district && $0.isActive(on: today) }.isEmpty)
        let ended = try #require(config.registry["000.00.21.H41"])
        #expect(config.registry.activeSuccessor(of: ended, on: today)?.name == "Sở Khoa học và Công nghệ")
        #expect(config.rule.electronicOnly == .congVan4116)
        #expect(config.registry.units.filter { $0.signer == "DEMO-ONLY" }.count == 1)
        // Every SPEC §8 key is written out in the example, not left to defaults.
        let text = try String(contentsOfFile: root + "/config/lienthong.toml", encoding: .utf8)
        for (table, keys) in ConfigSchema.tables {
            #expect(text.contains("[\(table)]"))
            for key in keys { #expect(text.contains("\n\(key) = "), "\(key)") }
        }
    }

    // MARK: - Each kind of error names file, line and key

    @Test func badDurationMessageIsExact() throws {
        let fixture = try Fixture(config: Fixture.minimal + "[intake]\nsettle = \"2x\"\n")
        let p = try single(fixture.problems())
        #expect(p.file == fixture.configPath)
        #expect(p.line == 5)
        #expect(p.key == "[intake] settle")
        #expect(p.description == "\(fixture.configPath):5: [intake] settle: \"2x\" is not a duration (use ms, s, m, h or d, e.g. \"2s\")")
    }

    @Test func durationWithoutUnit() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[fanout]\ndelivery_lifetime = 5\n").problems())
        #expect(p.line == 5)
        #expect(p.key == "[fanout] delivery_lifetime")
        #expect(p.message.contains("\"5s\""))
    }

    @Test func zeroDurationWhereItMakesNoSense() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[intake]\nsettle = \"0s\"\n").problems())
        #expect(p.key == "[intake] settle")
        #expect(p.message.contains("longer than zero"))
    }

    @Test func pairingWindowShorterThanSettle() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[intake]\nsettle = \"5m\"\npairing_window = \"1m\"\n").problems())
        #expect(p.line == 6)
        #expect(p.key == "[intake] pairing_window")
    }

    @Test func badSize() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[intake]\n\nmax_file_size = \"200 megs\"\n").problems())
        #expect(p.line == 6)
        #expect(p.key == "[intake] max_file_size")
        #expect(p.message.contains("is not a size"))
        let tiny = try single(Fixture(config: Fixture.minimal + "[intake]\nmax_file_size = 200\n").problems())
        #expect(tiny.message.contains("too small"))
    }

    @Test func unknownKeyNamesTheClosestKnownKey() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[intake]\nsetle = \"2s\"\n").problems())
        #expect(p.line == 5)
        #expect(p.key == "[intake] setle")
        #expect(p.message.contains("did you mean \"settle\"?"))
        let far = try single(Fixture(config: Fixture.minimal + "[intake]\nfoo = 1\n").problems())
        #expect(far.message.contains("\"settle\", \"pairing_window\", \"max_file_size\", \"ignore\""))
    }

    @Test func unknownTableNamesTheClosestKnownTable() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[intak]\nsettle = \"2s\"\n").problems())
        #expect(p.line == 4)
        #expect(p.key == "[intak]")
        #expect(p.message.contains("did you mean \"intake\"?"))
    }

    @Test func keyInTheWrongTable() throws {
        let p = try single(Fixture(config: Fixture.minimal + "settle = \"2s\"\n").problems())
        #expect(p.line == 4)
        #expect(p.key == "[gateway] settle")
        #expect(p.message.contains("belongs in [intake]"))
    }

    @Test func keyOutsideAnyTable() throws {
        let p = try single(Fixture(config: "language = \"vi\"\n" + Fixture.minimal).problems())
        #expect(p.line == 1)
        #expect(p.key == "language")
        #expect(p.message.contains("put it under [gateway]"))
    }

    @Test func missingRequiredKeys() throws {
        let noOffice = try single(Fixture(config: "\n[gateway]\nspool = \"s\"\n").problems())
        #expect(noOffice.line == 2)
        #expect(noOffice.key == "[gateway] office")
        #expect(noOffice.message.contains("missing"))

        let noGateway = try Fixture(config: "[intake]\nsettle = \"2s\"\n").problems()
        #expect(noGateway.map(\.key) == ["[gateway] office", "[gateway] spool"])
        #expect(noGateway.allSatisfy { $0.line == nil && $0.message.contains("[gateway] table") })
    }

    @Test func aSyntaxErrorIsNotAlsoReportedAsMissing() throws {
        let p = try single(Fixture(config: "[gateway]\noffice = \"000.00.00.H41\nspool = \"s\"\n").problems())
        #expect(p.line == 2)
        #expect(p.key == "[gateway] office")
        #expect(p.message.contains("not closed"))
    }

    @Test func invalidOfficeID() throws {
        let p = try single(Fixture(config: "[gateway]\noffice = \"UBND tỉnh\"\nspool = \"s\"\n").problems())
        #expect(p.line == 2)
        #expect(p.key == "[gateway] office")
        #expect(p.message.contains("not a valid unit id"))
    }

    @Test func officeMissingFromTheRegistry() throws {
        let p = try single(Fixture(config: "[gateway]\noffice = \"000.00.99.H41\"\nspool = \"s\"\n").problems())
        #expect(p.line == 2)
        #expect(p.key == "[gateway] office")
        #expect(p.message.contains("is not in units.csv"))
    }

    @Test func badLanguage() throws {
        let p = try single(Fixture(config: Fixture.minimal + "language = \"fr\"\n").problems())
        #expect(p.line == 4)
        #expect(p.key == "[gateway] language")
        #expect(p.message.contains("\"vi\""))
    }

    @Test func wrongValueType() throws {
        let p = try single(Fixture(config: "[gateway]\noffice = \"000.00.00.H41\"\nspool = true\n").problems())
        #expect(p.line == 3)
        #expect(p.key == "[gateway] spool")
        #expect(p.message == "expected a string in quotes, found a boolean")
    }

    @Test func emptyPath() throws {
        let p = try single(Fixture(config: "[gateway]\noffice = \"000.00.00.H41\"\nspool = \"\"\n").problems())
        #expect(p.line == 3)
        #expect(p.message.contains("is empty"))
    }

    @Test func syntaxErrorsCarryTheirKey() throws {
        let p = try single(Fixture(config: Fixture.minimal + "[intake]\nsettle = 2s\n").problems())
        #expect(p.line == 5)
        #expect(p.key == "[intake] settle")
        #expect(p.message.contains("strings need quotes"))
    }

    @Test func duplicateKey() throws {
        let p = try single(Fixture(config: Fixture.minimal + "spool = \"t\"\n").problems())
        #expect(p.line == 4)
        #expect(p.key == "[gateway] spool")
        #expect(p.message.contains("first at line 3"))
    }

    @Test func badIgnorePatternNamesTheElementLine() throws {
        let problems = try Fixture(config: Fixture.minimal + "[intake]\nignore = [\n  \"*.tmp\",\n  42,\n  \"a/b\",\n]\n").problems()
        #expect(problems.map(\.line) == [7, 8])
        #expect(problems.allSatisfy { $0.key == "[intake] ignore" })
    }

    @Test func effectiveWithUnknownLevelOrNonDate() throws {
        let problems = try Fixture(config: Fixture.minimal + """
            [rule]
            effective = {
                comune = 2018-09-01,
                district = "2018-07-01",
            }
            """).problems()
        #expect(problems.map(\.line) == [6, 7])
        #expect(problems.map(\.key) == ["[rule] effective.comune", "[rule] effective.district"])
        #expect(problems[0].message.contains("did you mean \"commune\"?"))
        #expect(problems[1].message.contains("without quotes"))
    }

    @Test func badGroups() throws {
        let problems = try Fixture(config: Fixture.minimal + """
            [fanout]
            groups = {
                districts = ["000.00.41.H41"],
                finance = ["000.00.22.H4l", "communes-of-000.00.22.H41"],
                a = ["b"],
                b = ["a"],
                none = [],
            }
            """).problems()
        #expect(problems.map(\.line) == [6, 7, 7, 8, 10])
        #expect(problems[0].message.contains("defines itself"))
        #expect(problems[1].message.contains("did you mean \"000.00.22.H41\"?"))
        #expect(problems[2].message.contains("not a district"))
        #expect(problems[3].key == "[fanout] groups.a")
        #expect(problems[3].message.contains("a → b → a"))
        #expect(problems[4].message.contains("no members"))
    }

    @Test func everyProblemIsCollectedInFileOrder() throws {
        let fixture = try Fixture(config: """
            [gateway]
            office = "000.00.00.H41"
            spool = "s"
            language = "fr"
            [intake]
            settle = "2x"
            setle = "2s"
            [trust]
            max_clock_skew = 5
            """, units: "id,name,level,parent\nbad id,X,department,\n")
        let problems = fixture.problems()
        #expect(problems.map(\.line) == [4, 6, 7, 9, 2])
        #expect(problems.last?.file == fixture.folder + "/units.csv")
        #expect(problems.last?.key == "id")
        let error = ConfigError(problems)
        #expect(error.description.split(separator: "\n").count == 5)
        #expect(error.line == 4)
        #expect(error.key == "[gateway] language")
    }

    @Test func unitsProblemsNameTheUnitsFile() throws {
        let fixture = try Fixture(config: Fixture.minimal + "", units: Fixture.units + "000.02.41.H41,UBND xã X,commune,000.00.22.H41,\n")
        let p = try single(fixture.problems())
        #expect(p.file == fixture.folder + "/units.csv")
        #expect(p.line == 7)
        #expect(p.key == "parent")
    }

    @Test func missingUnitsFile() throws {
        let p = try single(Fixture(config: Fixture.minimal, units: nil).problems())
        #expect(p.file.hasSuffix("/units.csv"))
        #expect(p.message.contains("No such file"))
    }

    @Test func missingConfigFile() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(path: "/nonexistent/lienthong.toml")
        }
        #expect(error?.file == "/nonexistent/lienthong.toml")
        #expect(error?.line == nil)
        #expect(error?.message.contains("No such file") == true)
    }

    @Test func configNotInUTF8() throws {
        let fixture = try Fixture(config: Fixture.minimal)
        try fixture.write(Data([0x5B, 0x72, 0x5D, 0x0A, 0x63, 0x3D, 0x22, 0xE0, 0x22, 0x0A]), to: "lienthong.toml")
        let p = try single(fixture.problems())
        #expect(p.line == 2)
        #expect(p.message.contains("UTF-8"))
    }

    @Test func configWithBOMAndCRLFLoads() throws {
        let fixture = try Fixture(config: "")
        let text = "\u{FEFF}[gateway]\r\noffice = \"000.00.00.H41\"\r\nspool = \"s\"\r\n[intake]\r\nsettle = \"3s\"\r\n"
        try fixture.write(text, to: "lienthong.toml")
        #expect(try fixture.load().intake.settle == 3)
    }

    @Test func displayedUnitsPathFollowsTheConfigPathAsTyped() {
        #expect(Paths.display("units.csv", referredFrom: "config/lienthong.toml") == "config/units.csv")
        #expect(Paths.display("units.csv", referredFrom: "lienthong.toml") == "units.csv")
        #expect(Paths.display("../reg/units.csv", referredFrom: "config/lienthong.toml") == "reg/units.csv")
        #expect(Paths.display("/etc/u.csv", referredFrom: "config/lienthong.toml") == "/etc/u.csv")
    }

    @Test func pathNormalisation() {
        #expect(Paths.normalize("/a/./b//c/../d/") == "/a/b/d")
        #expect(Paths.normalize("/../a") == "/a")
        #expect(Paths.normalize("../a/../../b") == "../../b")
        #expect(Paths.absolute("../Spool", base: "/work/main/config") == "/work/main/Spool")
        #expect(Paths.absolute("/abs", base: "/x") == "/abs")
    }
}

/// `[rule] electronic_only` and `electronic_only_subjects` (issue 13).
@Suite("Config: the electronic-only list")
struct ElectronicOnlyConfigTests {
    @Test func defaultsToCongVan4116() throws {
        #expect(try Fixture(config: Fixture.minimal).load().rule.electronicOnly == .congVan4116)
    }

    @Test func readsCodesInAnyCaseAndSubjects() throws {
        let f = try Fixture(config: Fixture.minimal + "[rule]\nelectronic_only = [\"gm\", \"CTR\", \"CĐ\"]\nelectronic_only_subjects = { \"QĐ\" = [\"Thành lập\"] }\n")
        let list = try f.load().rule.electronicOnly
        #expect(list.types == ["GM", "CTr", "CĐ"])
        #expect(list.subjects == ["QĐ": ["thành lập"]])
    }

    @Test func unknownCodeIsRefusedWithAHint() throws {
        let f = try Fixture(config: Fixture.minimal + "[rule]\nelectronic_only = [\"GM\", \"BCC\"]\nelectronic_only_subjects = { XX = [\"mời\"], CV = [\"\"] }\n")
        do {
            _ = try f.load()
            Issue.record("expected the config to be refused")
        } catch {
            let ps = error.problems
            #expect(ps.map(\.line) == [5, 6, 6])
            #expect(ps[0].key == "[rule] electronic_only")
            #expect(ps[0].message.contains("\"BCC\" is not a document type code (did you mean \"BC\"?"))
            #expect(ps[1].key == "[rule] electronic_only_subjects.XX")
            #expect(ps[2].message.contains("would match every subject"))
        }
    }
}
