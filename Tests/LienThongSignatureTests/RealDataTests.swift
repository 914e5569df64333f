import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// Files made by other people (../shared/realdata, see its SOURCES.md). Not
/// part of the repository: every test here passes trivially when it is absent.
@Suite struct RealDataTests {
    static let integrityReasons: Set<ReasonCode> = [.signatureInvalid, .modifiedAfterSigning]

    /// Files the independent tools (pdfsig, pyHanko, DSS) call intact.
    static let intact = [
        "dss__Signature-P-BG_BOR-1.pdf", "dss__Signature-P-HU_MIC-1.pdf", "dss__Signature-P-HU_POL-7.pdf",
        "dss__adbe_crl_signed.pdf", "dss__belgian_pki_multiple_ocsps.pdf", "dss__muestra-firmado-firmado.pdf",
        "dss__pkcs7_sha1.pdf", "endesive__pdf-acrobat.pdf",
    ]
    /// Attacks whose expected outcome their authors wrote down.
    static let attacks = [
        "dss__dss-2236__replace.pdf", "dss__pdf-byterange-overlap.pdf",
        "dss__pdf-signed-out-of-byteRange.pdf", "dss__pades-spoofing-replaced-reason.pdf",
    ]

    static func read(_ relative: String) -> [UInt8]? {
        guard let real = Fixtures.realData else { return nil }
        return FileManager.default.contents(atPath: real.appendingPathComponent(relative).path).map { [UInt8]($0) }
    }

    static var allPDFs: [String] {
        guard let real = Fixtures.realData else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: real.appendingPathComponent("pdf").path)) ?? [])
            .filter { $0.hasSuffix(".pdf") }.sorted()
    }

    /// No anchors at all: every real chain is untrusted here.
    let validator = SignatureValidator(trust: TrustStore(anchors: []), maxClockSkew: 300)

    @Test func everyRealPDFParses() throws {
        for name in Self.allPDFs {
            let data = try #require(Self.read("pdf/" + name))
            #expect(SignatureValidator.pdfHasSignature(data), "\(name)")
            let r = validator.validatePDF(data, name: name, arrival: Date())
            #expect(!r.signatures.isEmpty, "\(name): \(r.dump)")
            #expect(!r.isValid, "nothing chains to an anchor: \(r.dump)")
        }
    }

    @Test(arguments: intact)
    func intactFilesAreOnlyUntrusted(_ name: String) throws {
        guard let data = Self.read("pdf/" + name) else { return }
        let r = validator.validatePDF(data, name: name, arrival: Date())
        #expect(Set(r.reasons).isDisjoint(with: Self.integrityReasons), "\(r.dump)")
        #expect(r.reasons.contains(.certificateUntrusted), "\(r.dump)")
        #expect(r.signatures.allSatisfy { !$0.signer.isEmpty }, "\(r.dump)")
    }

    @Test(arguments: attacks)
    func attacksAreCaught(_ name: String) throws {
        guard let data = Self.read("pdf/" + name) else { return }
        let r = validator.validatePDF(data, name: name, arrival: Date())
        #expect(!r.isValid)
        #expect(!Set(r.reasons).isDisjoint(with: Self.integrityReasons), "\(r.dump)")
    }

    @Test func legacySHA1SubFilterAndDocumentTimestampsAreRead() throws {
        guard let data = Self.read("pdf/dss__pkcs7_sha1.pdf") else { return }
        let r = validator.validatePDF(data, name: "pkcs7_sha1.pdf", arrival: Date())
        #expect(r.signatures.count == 2, "\(r.dump)")
        #expect(r.signatures[0].signer.contains("BOLETÍN OFICIAL DEL ESTADO"), "\(r.dump)")
        guard let pol = Self.read("pdf/dss__Signature-P-HU_POL-7.pdf") else { return }
        let p = validator.validatePDF(pol, name: "pol.pdf", arrival: Date())
        #expect(p.signatures.count == 4, "two signatures and two document timestamps: \(p.dump)")
    }

    // MARK: VGCA (Ban Cơ yếu Chính phủ) certificates

    static let g1 = "vgca-certs/g1-legacy"

    @Test func vgcaFirstGenerationSHA1ChainValidatesIn2020() throws {
        guard let real = Fixtures.realData else { return }
        let trust = try TrustStore(anchorsDirectory: real.appendingPathComponent(Self.g1).path, crlDirectory: "", tsaDirectory: "")
        #expect(trust.anchorCount >= 7, "root, CP and sub-CAs load (DER .cer)")
        let leafDER = try #require(Self.read(Self.g1 + "/VGCALicenseKeyGenerator.cer"))
        let leaf = try #require(Certificate.parseAll(leafDER).first)
        let ok = ChainValidator.validate(leaf, intermediates: [], anchors: trust.anchors, at: date("2020-06-01T00:00:00Z"))
        #expect(ok.status == .trusted, "\(ok.note)")
        #expect(ok.chain.map(\.subject.commonName) == [
            "VGCA License Key Generator", "Co quan chung thuc so Chinh phu", "Co quan chung thuc so chuyen dung Chinh phu (RootCA)",
        ])
        // Real end-entity profile: KU allows signing, EKU is clientAuth/emailProtection only.
        let usage = try #require(leaf.keyUsage)
        #expect(usage & UInt32(0x80 | 0x40) != 0)
        // After the leaf expired (2027-02-19): not valid at that time.
        let late = ChainValidator.validate(leaf, intermediates: [], anchors: trust.anchors, at: date("2028-01-01T00:00:00Z"))
        #expect(late.status == .notValidAtTime, "\(late.note)")
    }

    @Test func vgcaIntermediateIsNeededAndRootAloneIsNotEnough() throws {
        guard let rootDER = Self.read(Self.g1 + "/VGCA_ROOTCA_BIN.cer"),
              let leafDER = Self.read(Self.g1 + "/VGCALicenseKeyGenerator.cer"),
              let cpDER = Self.read(Self.g1 + "/CP_BIN.cer") else { return }
        let root = Certificate.parseAll(rootDER), leaf = try #require(Certificate.parseAll(leafDER).first)
        let cp = Certificate.parseAll(cpDER)
        let at = date("2020-06-01T00:00:00Z")
        #expect(ChainValidator.validate(leaf, intermediates: [], anchors: root, at: at).status == .untrusted)
        #expect(ChainValidator.validate(leaf, intermediates: cp, anchors: root, at: at).status == .trusted, "intermediate from the CMS")
        // The intermediate alone is not an anchor (no partial chains).
        #expect(ChainValidator.validate(leaf, intermediates: [], anchors: cp, at: at).status == .untrusted)
    }

    @Test func vgcaSecondGenerationAndNationalRootsLoad() throws {
        guard let real = Fixtures.realData else { return }
        let g2 = try TrustStore(anchorsDirectory: real.appendingPathComponent("vgca-certs/g2").path, crlDirectory: "", tsaDirectory: "")
        #expect(g2.anchorCount == 3)
        let cp = try #require(g2.anchors.first { $0.subject.commonName.contains("CA phục vụ các cơ quan Nhà nước G2") })
        #expect(ChainValidator.validate(cp, intermediates: [], anchors: g2.anchors, at: date("2024-01-01T00:00:00Z")).status == .trusted)
        let national = try TrustStore(anchorsDirectory: real.appendingPathComponent("vn-national-ca").path, crlDirectory: "", tsaDirectory: "")
        #expect(national.anchorCount == 3)
    }
}
