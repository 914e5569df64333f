import CLibSSL
import Foundation
import LienThongCore
import Synchronization
import Testing
@testable import LienThongSignature

/// Issue 15: what repeats is done once (certificates embedded in signatures
/// parsed once per encoding, a CRL's signature checked once per issuer key),
/// and a validation with the caches says exactly what one without them says.
/// Each comparison validates several times with one cached store (later runs
/// answer from the caches) and once with a store that caches nothing.
@Suite struct ValidationCacheTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    /// A validation by name: "x.pdf" or a detached "x.docx" (+ "x.docx.p7s").
    private func validate(_ doc: String, _ validator: SignatureValidator) throws -> DocumentValidation {
        if doc.hasSuffix(".pdf") { return validator.validatePDF(try f.bytes(doc), name: doc, arrival: Fixtures.arrival) }
        return validator.validateDetached(content: try f.bytes(doc), signature: try f.bytes(doc + ".p7s"), name: doc,
                                          arrival: Fixtures.arrival)
    }

    private func store(anchors: [String] = [], crls: String, caching: Bool) throws -> TrustStore {
        let folder = anchors.isEmpty ? f.root + "/anchors" : try copies(anchors)
        return try TrustStore(anchorsDirectory: folder, crlDirectory: crls, tsaDirectory: f.root + "/tsa", caching: caching)
    }

    /// A fresh folder holding copies of `paths` (relative to the fixtures), as `names` when given.
    private func copies(_ paths: [String], as names: [String]? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, path) in paths.enumerated() {
            let name = names?[i] ?? (path as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: f.root + "/" + path, toPath: dir + "/" + name)
        }
        return dir
    }

    /// Every document of `docs`, in this order three times with one cached
    /// store, each report equal to the uncached store's. Returns the reports.
    @discardableResult
    private func expectSame(_ docs: [String], anchors: [String] = [], crls: String, clock: Date? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: DocumentValidation] {
        let now: @Sendable () -> Date = { clock ?? Date() }
        let cached = SignatureValidator(trust: try store(anchors: anchors, crls: crls, caching: true), maxClockSkew: 300, now: now)
        let reference = SignatureValidator(trust: try store(anchors: anchors, crls: crls, caching: false), maxClockSkew: 300, now: now)
        #expect(cached.trust.certificateCache != nil && reference.trust.certificateCache == nil)
        var reports: [String: DocumentValidation] = [:]
        for doc in docs { reports[doc] = try validate(doc, reference) }
        for round in 1...3 {
            for doc in docs {
                let r = try validate(doc, cached)
                #expect(r == reports[doc], "round \(round), \(doc):\ncached:\n\(r.dump)\nreference:\n\(reports[doc]?.dump ?? "-")",
                        sourceLocation: sourceLocation)
            }
        }
        return reports
    }

    @Test func validRevokedBeforeAndAfterSigningAndAForgedCRLInTheFolder() throws {
        // The test CRL folder holds forged.crl: named for the intermediate, signed by a look-alike key.
        let docs = ["letter.docx", "letter-pem.docx", "revoked.docx", "revoked-after.docx", "tampered.docx",
                    "valid.pdf", "revoked-before-signing.pdf", "revoked-after-signing.pdf", "revoked-keycompromise-timestamped.pdf"]
        let r = try expectSame(docs, crls: f.root + "/crls")
        #expect(r["letter.docx"]?.isValid == true, "\(r["letter.docx"]?.dump ?? "")")
        #expect(r["letter.docx"]?.signatures.first?.notes.contains { $0.contains("forged.crl names TEST-ONLY Intermediate CA") } == true)
        #expect(r["revoked.docx"]?.reasons == [.certificateRevoked])
        #expect(r["revoked-after.docx"]?.isValid == true, "\(r["revoked-after.docx"]?.dump ?? "")")
        #expect(r["revoked-after.docx"]?.signatures.first?.notes.contains { $0.contains("after the signing time") } == true)
        #expect(r["tampered.docx"]?.reasons == [.signatureInvalid])
    }

    @Test func expiredNotYetValidAndForgedCurrentCRLs() throws {
        let docs = ["letter.docx", "revoked.docx", "valid.pdf"]
        for crls in [["intermediate-stale.crl", "root-current.crl"], ["intermediate-not-yet.crl", "root-current.crl"],
                     ["intermediate-forged-current.crl", "root-current.crl"],
                     ["intermediate-forged-current.crl", "intermediate-current.crl", "root-current.crl"]] {
            let r = try expectSame(docs, crls: try copies(crls.map { "crl-cases/" + $0 }))
            let letter = try #require(r["letter.docx"])
            if crls.contains("intermediate-current.crl") {
                #expect(letter.isValid && r["revoked.docx"]?.reasons == [.certificateRevoked], "\(crls): \(letter.dump)")
            } else {
                #expect(letter.waitingForRevocation.count == 1 && letter.reasons.isEmpty, "\(crls): \(letter.dump)")
            }
        }
        // Expired by the validation's own clock: one store, two clocks, the same CRL objects.
        let stale = try copies(["crl-cases/intermediate-stale.crl", "crl-cases/root-current.crl"])
        let within = try expectSame(docs, crls: stale, clock: date("2024-02-01T00:04:00Z"))
        #expect(within["letter.docx"]?.waitingForRevocation.filter { $0.contains("Intermediate") }.isEmpty == true)
        let beyond = try expectSame(docs, crls: stale, clock: date("2024-02-01T00:06:00Z"))
        #expect(beyond["letter.docx"]?.waitingForRevocation.contains { $0.contains("CRL of TEST-ONLY Intermediate CA expired") } == true)
    }

    /// One CRL object checked against two trusted CAs of one name with
    /// different keys (a CA re-keyed under its name): each key gets its own answer.
    @Test func aCRLIsJudgedForEachIssuerKeyNotEachIssuerName() throws {
        let anchors = ["anchors/root.pem", "anchors/intermediate.der", "untrusted/lookalike-root.pem"]
        let docs = ["valid.pdf", "lookalike-root.pdf", "letter.docx", "lookalike-root.pdf"]
        let r = try expectSame(docs, anchors: anchors, crls: f.root + "/crls")
        // forged.crl is the look-alike intermediate's own list: used for its signer, refused for the real one's.
        #expect(r["lookalike-root.pdf"]?.signatures.first?.crlsUsed.contains("forged.crl") == true, "\(r["lookalike-root.pdf"]?.dump ?? "")")
        #expect(r["valid.pdf"]?.signatures.first?.crlsUsed.contains("forged.crl") == false, "\(r["valid.pdf"]?.dump ?? "")")
        #expect(r["valid.pdf"]?.signatures.first?.notes.contains { $0.contains("forged.crl names") } == true)
    }

    /// Another key under the valid signer's subject, issuer name and serial:
    /// certificates are told apart by their bytes, in either order, trusted or not.
    @Test func anImpostorCertificateIsNeverTakenForTheSigners() throws {
        let docs = ["letter.docx", "impostor.docx", "letter.docx"]
        let r = try expectSame(docs, crls: f.root + "/crls")
        #expect(r["letter.docx"]?.isValid == true, "\(r["letter.docx"]?.dump ?? "")")
        #expect(r["impostor.docx"]?.reasons == [.certificateUntrusted], "\(r["impostor.docx"]?.dump ?? "")")
        let anchors = ["anchors/root.pem", "anchors/intermediate.der", "untrusted/lookalike-root.pem"]
        try expectSame(Array(docs.reversed().dropFirst()) + docs, anchors: anchors, crls: f.root + "/crls")
    }

    /// A reload reads the CRL folder again: a list replaced under the same
    /// name is judged by its new bytes, in both directions.
    @Test func aCRLReplacedOnReloadIsJudgedAnew() throws {
        let names = ["intermediate.crl", "root.crl"]
        let forged = try copies(["crl-cases/intermediate-forged-current.crl", "crl-cases/root-current.crl"], as: names)
        let genuine = try copies(["crl-cases/intermediate-current.crl", "crl-cases/root-current.crl"], as: names)
        let docs = ["revoked.docx", "letter.docx"]
        for order in [[forged, genuine], [genuine, forged]] {
            let folder = try copies(["crl-cases/root-current.crl"], as: ["root.crl"])
            for source in order {
                try? FileManager.default.removeItem(atPath: folder + "/intermediate.crl")
                try FileManager.default.copyItem(atPath: source + "/intermediate.crl", toPath: folder + "/intermediate.crl")
                let r = try expectSame(docs, crls: folder)
                if source == genuine {
                    #expect(r["revoked.docx"]?.reasons == [.certificateRevoked], "\(r["revoked.docx"]?.dump ?? "")")
                    #expect(r["letter.docx"]?.isValid == true, "\(r["letter.docx"]?.dump ?? "")")
                } else {
                    #expect(r["revoked.docx"]?.waitingForRevocation == ["waiting for revocation data: no CRL of TEST-ONLY Intermediate CA signed by it in the CRL folder"],
                            "\(r["revoked.docx"]?.dump ?? "")")
                }
            }
        }
    }

    /// The same (reloaded) store across generations: a reload is a new
    /// TrustStore, so its CRL objects remember nothing of the old ones.
    @Test func aNewTrustGenerationStartsWithNothingRemembered() throws {
        let old = try store(crls: f.root + "/crls", caching: true)
        _ = SignatureValidator(trust: old, maxClockSkew: 300).validateDetached(
            content: try f.bytes("letter.docx"), signature: try f.bytes("letter.docx.p7s"), name: "l", arrival: Fixtures.arrival)
        #expect(old.crls.contains { $0.rememberedChecks > 0 })
        #expect((old.certificateCache?.count ?? 0) > 0)
        let reloaded = try store(crls: f.root + "/crls", caching: true)
        #expect(reloaded.crls.allSatisfy { $0.rememberedChecks == 0 })
        #expect(reloaded.certificateCache?.count == 0)
    }

    /// Every fixture document, the test CRL folder.
    @Test func everyFixtureDocumentGivesTheSameReport() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: f.root + "/docs").sorted()
        let docs = names.filter { $0.hasSuffix(".pdf") } + names.filter { $0.hasSuffix(".p7s") }.map { String($0.dropLast(4)) }
        #expect(docs.count > 40)
        try expectSame(docs, crls: f.root + "/crls")
    }

    /// Validations on several threads at once, sharing the caches.
    @Test func concurrentValidationsAgreeWithTheReference() throws {
        let docs = ["letter.docx", "revoked.docx", "revoked-after.docx", "valid.pdf", "timestamped.pdf", "sha1-chain.pdf"]
        let cached = SignatureValidator(trust: try store(crls: f.root + "/crls", caching: true), maxClockSkew: 300)
        let reference = SignatureValidator(trust: try store(crls: f.root + "/crls", caching: false), maxClockSkew: 300)
        let expected = try docs.map { try validate($0, reference) }
        let results = Mutex<[(Int, DocumentValidation)]>([])
        DispatchQueue.concurrentPerform(iterations: 48) { i in
            let report = try? validate(docs[i % docs.count], cached)
            if let report { results.withLock { $0.append((i % docs.count, report)) } }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 48)
        for (i, report) in all { #expect(report == expected[i], "\(docs[i]): \(report.dump)") }
    }

    // MARK: The pieces

    @Test func aCachedCertificateIsTheOneItsBytesEncode() throws {
        let cache = CertificateCache()
        let ders = try certificateDERs()
        #expect(ders.count >= 4)
        for der in ders + ders {
            let certificate = try #require(cache.certificate(der: der[...]))
            #expect(OpenSSL.der(certificate.x509) { i2d_X509($0, $1) } == der)
        }
        #expect(cache.count == ders.count)
        #expect(cache.certificate(der: ders[0][...]) === cache.certificate(der: ders[0][...]))
        // Not a certificate, or a certificate with a byte more: refused, not remembered.
        #expect(cache.certificate(der: ders[0].dropLast()) == nil)
        #expect(cache.certificate(der: (ders[0] + [0])[...]) == nil)
        #expect(cache.count == ders.count)
    }

    @Test func theCertificateCacheStaysWithinItsBound() throws {
        let ders = try certificateDERs()
        let cache = CertificateCache(entriesPerGeneration: 2)
        let hot = try #require(cache.certificate(der: ders[0][...]))
        for der in ders.dropFirst() {
            _ = cache.certificate(der: der[...])
            #expect(cache.certificate(der: ders[0][...]) === hot)  // in use: survives the turnovers
            #expect(cache.count <= 4)
        }
        let bytes = CertificateCache(entriesPerGeneration: 100, bytesPerGeneration: ders[0].count)
        for der in ders { _ = bytes.certificate(der: der[...]) }
        #expect(bytes.count <= 2)
    }

    /// A remembered path answers for another time only where OpenSSL would
    /// say the same: at a signer's notBefore it is valid, a second before it
    /// is not (OpenSSL's own comparison), and what is not valid is worked
    /// out by OpenSSL with its reasons, never remembered.
    @Test func aRememberedPathAnswersOnlyWhereEveryCertificateInItIsValid() throws {
        let leaf = try #require(Certificate.parseAll(try f.bytesAt("private/valid-signer.pem")).first)
        let offered = Certificate.parseAll(try f.bytesAt("private/valid-chain.pem"))
        let anchors = f.trust.anchors
        let cache = ChainCache()
        func both(_ t: Date) -> (cached: ChainValidator.Result, reference: ChainValidator.Result) {
            (ChainValidator.validate(leaf, intermediates: offered, anchors: anchors, at: t, cache: cache),
             ChainValidator.validate(leaf, intermediates: offered, anchors: anchors, at: t))
        }
        func same(_ r: (cached: ChainValidator.Result, reference: ChainValidator.Result), _ status: ChainValidator.Status,
                  sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.cached.status == status && r.reference.status == status, sourceLocation: sourceLocation)
            #expect(r.cached.chain.map(\.subject.oneLine) == r.reference.chain.map(\.subject.oneLine), sourceLocation: sourceLocation)
            #expect(r.cached.note == r.reference.note, sourceLocation: sourceLocation)
        }
        same(both(date("2021-01-01T00:00:00Z")), .trusted)
        #expect(cache.count == 1 && cache.hits == 0)
        same(both(date("2044-12-31T23:59:59Z")), .trusted)
        same(both(date("2020-01-01T00:00:00Z")), .trusted)  // the signer's notBefore
        #expect(cache.hits == 2)
        same(both(date("2019-12-31T23:59:59Z")), .notValidAtTime)  // a second before it
        same(both(date("2045-01-01T00:00:00Z")), .notValidAtTime)  // the anchor's notAfter
        #expect(cache.hits == 2 && cache.count == 1)
        // The same bytes parsed again are other objects: not the remembered key.
        let again = try #require(Certificate.parseAll(try f.bytesAt("private/valid-signer.pem")).first)
        let fresh = ChainValidator.validate(again, intermediates: offered, anchors: anchors, at: date("2021-01-01T00:00:00Z"), cache: cache)
        #expect(fresh.status == .trusted && cache.hits == 2 && cache.count == 2)
    }

    /// A timestamp authority's path is remembered too, in a cache of its
    /// own (its anchors are the TSA roots and the anchors), and the reports
    /// stay those of a store that caches nothing.
    @Test func aTimestampAuthoritysPathIsRememberedApartFromTheSigners() throws {
        let docs = ["timestamped.pdf", "timestamped.pdf"]
        let cached = SignatureValidator(trust: try store(crls: f.root + "/crls", caching: true), maxClockSkew: 300)
        let reference = SignatureValidator(trust: try store(crls: f.root + "/crls", caching: false), maxClockSkew: 300)
        for doc in docs { #expect(try validate(doc, cached) == validate(doc, reference)) }
        let timestamps = try #require(cached.trust.tsaChainCache)
        #expect(timestamps.hits >= 1 && timestamps.count >= 1)
        #expect(reference.trust.tsaChainCache == nil)
    }

    @Test func theChainCacheStaysWithinItsBound() throws {
        let offered = Certificate.parseAll(try f.bytesAt("private/valid-chain.pem"))
        let cache = ChainCache(limit: 2)
        for _ in 0..<5 {
            let leaf = try #require(Certificate.parseAll(try f.bytesAt("private/valid-signer.pem")).first)
            let r = ChainValidator.validate(leaf, intermediates: offered, anchors: f.trust.anchors, at: date("2021-01-01T00:00:00Z"),
                                            cache: cache)
            #expect(r.status == .trusted && cache.count <= 2)
        }
    }

    @Test func theSignatureCheckOfACRLIsRememberedPerKeyAndBounded() throws {
        let list = try #require(RevocationList.parseAll(try f.bytesAt("crls/forged.crl"), fileName: "forged.crl",
                                                         remembersSignatureChecks: true).first)
        let lookalike = try #require(try certificates(in: "lookalike-root.pdf").first { $0.subject.commonName == "TEST-ONLY Intermediate CA" })
        let genuine = try #require(Certificate.parseAll(try f.bytesAt("anchors/intermediate.der")).first)
        for _ in 0..<3 {
            #expect(list.isIssued(by: lookalike))
            #expect(!list.isIssued(by: genuine))
        }
        #expect(list.rememberedChecks == 2)
        // Many keys under one name: answers stay right, memory stays bounded.
        let others = try certificateDERs().compactMap { Certificate.fromDER($0) }
        for certificate in others + others {
            _ = list.isIssued(by: certificate)
            #expect(list.rememberedChecks <= RevocationList.keysRemembered)
        }
        #expect(list.isIssued(by: lookalike) && !list.isIssued(by: genuine))
    }

    /// The cut keeps every field but the certificates; what it cannot cut is parsed whole.
    @Test func aSignedDataIsCutOnlyInItsPlainShape() throws {
        let der = try f.bytes("letter.docx.p7s")
        let parts = try #require(CMSCertificateSplit.split(der))
        let whole = try #require(CMSSignedData(der: der))
        #expect(parts.certificates.map(Array.init) == whole.certificates.map { OpenSSL.der($0.x509) { i2d_X509($0, $1) } })
        let cut = try #require(CMSSignedData(der: parts.withoutCertificates))
        #expect(cut.certificates.isEmpty && cut.signers.count == whole.signers.count)
        #expect(CMSCertificateSplit.split(parts.withoutCertificates) == nil)  // nothing left to cut
        #expect(CMSCertificateSplit.split(Array(der.dropLast())) == nil)
        #expect(CMSCertificateSplit.split(der + [0, 0, 0]) != nil)  // padding after it, as in a PDF's /Contents
    }

    /// Two certificates fields: OpenSSL refuses the SignedData, and so must the
    /// cut (without its guard, the second would be read as the certificates).
    @Test func aSecondCertificatesFieldIsRefusedEitherWay() throws {
        let der = try f.bytes("letter.docx.p7s")
        var top = DERReader(der[...])
        let info = top.next()
        var infoFields = DERReader(try #require(info).content)
        let contentType = infoFields.next()
        let oid = try #require(contentType)
        let explicit = infoFields.next()
        var inner = DERReader(try #require(explicit).content)
        let signedData = inner.next()
        var fields = DERReader(try #require(signedData).content)
        var parts: [[UInt8]] = []
        while let field = fields.next() {
            parts.append(Array(field.whole))
            if field.tag == 0xA0 { parts.append(Array(field.whole)) }
        }
        #expect(parts.count == 6)
        let twice = DER.encode(tag: 0x30, Array(oid.whole) + DER.encode(tag: 0xA0, DER.encode(tag: 0x30, parts.flatMap { $0 })))
        #expect(CMSSignedData(der: twice) == nil)
        #expect(CMSSignedData(der: twice, cache: CertificateCache()) == nil)
        #expect(CMSSignedData(der: der, cache: CertificateCache()) != nil)
    }

    /// Seeded mutations of signature files, concentrated on the structure the
    /// cut reads (headers, certificates): cached and uncached reports agree.
    @Test func mutatedSignatureFilesGiveTheSameReport() throws {
        let cached = SignatureValidator(trust: try store(crls: f.root + "/crls", caching: true), maxClockSkew: 300)
        let reference = SignatureValidator(trust: try store(crls: f.root + "/crls", caching: false), maxClockSkew: 300)
        let content = try f.bytes("letter.docx")
        let seeds = try ["letter.docx.p7s", "revoked.docx.p7s", "sigalg-as-digest.docx.p7s"].map { try f.bytes($0) }
        var rng = FuzzTests.Random(state: 0x15_2026)
        let deadline = Date().addingTimeInterval(20)
        var runs = 0
        while runs < 600, Date() < deadline {
            var input = seeds[runs % seeds.count]
            for _ in 0...rng.below(2) {
                let at = rng.below(min(input.count, 2200))  // the headers and the certificates
                switch rng.below(4) {
                case 0: input[at] ^= UInt8(1 << rng.below(8))
                case 1: input[at] = [0x00, 0x30, 0x31, 0x80, 0x81, 0x82, 0xA0, 0xA1, 0xFF][rng.below(9)]
                case 2: input.removeSubrange(at..<min(input.count, at + 1 + rng.below(4)))
                default: input.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                }
            }
            let a = cached.validateDetached(content: content, signature: input, name: "m", arrival: Fixtures.arrival)
            let b = reference.validateDetached(content: content, signature: input, name: "m", arrival: Fixtures.arrival)
            #expect(a == b, "run \(runs):\ncached:\n\(a.dump)\nreference:\n\(b.dump)")
            runs += 1
        }
        #expect(runs >= 100)
    }

    private func certificateDERs() throws -> [[UInt8]] {
        var seen: [[UInt8]] = []
        for doc in ["valid.pdf", "lookalike-root.pdf", "sha1-chain.pdf", "untrusted-root.pdf", "timestamped.pdf", "two-signatures.pdf"] {
            for certificate in try certificates(in: doc) {
                let der = OpenSSL.der(certificate.x509) { i2d_X509($0, $1) }
                if !seen.contains(der) { seen.append(der) }
            }
        }
        return seen
    }

    /// The certificates embedded in the first signature of a fixture PDF.
    private func certificates(in doc: String) throws -> [Certificate] {
        let data = try f.bytes(doc)
        let scan = PDFSignatureScanner.scanBounded(data, budget: ValidationBudget(limits: .standard))
        let contents = try #require(scan.signatures.first?.contents)
        return try #require(CMSSignedData(der: contents)).certificates
    }
}

extension Fixtures {
    func bytesAt(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { throw FixtureError(description: "missing fixture \(path)") }
        return [UInt8](data)
    }
}
