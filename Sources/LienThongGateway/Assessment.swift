import Foundation
import LienThongCore
import LienThongSignature
import LienThongSpool

/// Reads a submission's claimed files — safely, once each — gives them roles
/// and validates the electronic parts.
extension Pipeline {
    struct Assessment {
        var parts: [SubmissionPart]
        var document: DocumentNumber?
        var type: DocumentType
        var subject: String?
        var quarantine: Bool
        /// A claimed file changed while or since it was read (a sender still
        /// writing through an open handle): decide nothing yet.
        var stillArriving = false
        /// An electronic part is being validated on a worker thread: decide
        /// nothing yet; its result makes the submission due again.
        var validating = false
    }

    func assess(_ sub: OpenSubmission, now: Date) throws -> Assessment {
        let root = settings.layout.queuedFiles(sub.id)
        let entries = try SpoolTree.entries(under: root)
        var bytesOf: [String: [UInt8]] = [:]
        var stillArriving = false
        for entry in entries {
            let path = root + "/" + entry.path
            // Facts hold only for the bytes they were read from: a file whose
            // size or change time moved since is read and hashed again.
            let before = FileStamp.of(path)
            if let known = sub.facts[entry.path], known.stamp == before { continue }
            sub.facts[entry.path] = nil
            sub.validations[entry.path] = nil
            let (facts, bytes) = read(path, name: entry.path)
            guard FileStamp.of(path) == before else {
                stillArriving = true
                continue
            }
            sub.facts[entry.path] = facts
            sub.facts[entry.path]?.stamp = before
            if let bytes { bytesOf[entry.path] = bytes }
        }
        let names = entries.map(\.path)
        var content: [String: RoleClassifier.Content] = [:]
        for name in names { content[name] = sub.facts[name]?.content ?? .unknown }
        let roles = RoleClassifier.roles(names: names, content: content, key: sub.key)

        var manifest: Manifest?
        var parts: [SubmissionPart] = []
        var validating = false
        for name in names {
            guard let facts = sub.facts[name] else { continue }
            let role = roles[name] ?? .other
            var part = SubmissionPart(name: name.precomposedStringWithCanonicalMapping, role: role, size: facts.size, sha256: facts.sha256, problem: facts.problem)
            if role == .manifest, facts.problem == nil {
                manifest = Manifest.parse(bytesOf[name] ?? readBytes(root + "/" + name))
            }
            if role == .electronic, facts.problem == nil {
                if sub.validations[name] == nil {
                    validating = true
                    let key = ValidationWorkers.Key(submission: sub.id, name: name)
                    if !validations.isRunning(key, stamp: facts.stamp) {
                        validations.start(key, stamp: facts.stamp,
                                          validationJob(root: root, name: name, bytes: bytesOf[name], arrival: sub.firstArrival))
                    }
                }
                part.validation = sub.validations[name]
                if let stop = part.validation?.stopped {
                    // Said as a file problem, so the receipt names the bound.
                    part.problem = Finding(.unreadable, findingDetail.validationStopped(part.name, stop))
                }
                if let earlier = try ledger.acceptedSubmission(unit: sub.unit, sha256: facts.sha256, excluding: sub.id) {
                    part.problem = Finding(.duplicate, findingDetail.duplicate(part.name, earlier: earlier))
                }
            }
            parts.append(part)
        }
        let document = manifest?.document ?? DocumentNumber.find(in: sub.key)
        let type = manifest?.type ?? document.map { DocumentType.from(symbol: $0.symbol) } ?? .congVan
        let subject = manifest?.subject ?? sub.key
        return Assessment(parts: parts, document: document, type: type, subject: subject,
                          quarantine: entries.contains { sub.facts[$0.path]?.quarantine ?? false }, stillArriving: stillArriving,
                          validating: validating)
    }

    private func read(_ path: String, name: String) -> (FileFacts, [UInt8]?) {
        switch SafeReader.read(path, maxSize: settings.config.intake.maxFileSize) {
        case .file(let bytes, let sha):
            let signed = SignatureValidator.looksLikePDF(bytes) && SignatureValidator.pdfHasSignature(bytes, limits: Self.sniffLimits)
            let content = RoleClassifier.sniff(head: Array(bytes.prefix(1024)), isSignedPDF: signed)
            // Bytes are kept only for the files validated in this pass.
            let keep = content == .signedPDF || content == .json || name.lowercased().hasSuffix(".p7s")
            return (FileFacts(size: Int64(bytes.count), sha256: sha, content: content, problem: nil, quarantine: false), keep ? bytes : nil)
        case .refused(let kind, let reason, let size, let sha):
            let finding: Finding
            var quarantine = false
            switch reason {
            case .notRegular:
                finding = Finding(.unsupportedFile, findingDetail.notRegular(name, kind: kind))
                quarantine = true
            case .hardLinked:
                finding = Finding(.unsupportedFile, findingDetail.hardLinked(name))
            case .tooLarge:
                finding = Finding(.tooLarge, findingDetail.tooLarge(name, size: size, limit: Int64(settings.config.intake.maxFileSize)))
            case .empty:
                finding = Finding(.unreadable, findingDetail.empty(name))
            case .unreadable:
                finding = Finding(.unreadable, findingDetail.unreadable(name))
            }
            return (FileFacts(size: size, sha256: sha, content: .unknown, problem: finding, quarantine: quarantine), nil)
        }
    }

    private func readBytes(_ path: String) -> [UInt8] {
        if case .file(let bytes, _) = SafeReader.read(path, maxSize: settings.config.intake.maxFileSize) { return bytes }
        return []
    }

    /// The sniff that gives a file its role runs on the loop thread: a file
    /// too costly to scan in 2 s counts as signed, and its validation (on a
    /// worker, under the full budget) says why it is refused.
    static let sniffLimits: ValidationLimits = {
        var limits = ValidationLimits.standard
        limits.maxSeconds = 2
        return limits
    }()

    /// Reads what validating a file needs (here, on the loop thread) and
    /// returns the validation itself, to run on a worker.
    private func validationJob(root: String, name: String, bytes: [UInt8]?, arrival: Date) -> @Sendable () -> DocumentValidation {
        let display = name.precomposedStringWithCanonicalMapping
        let content = bytes ?? readBytes(root + "/" + name)
        let validator = settings.validator
        let p7s = root + "/" + name + ".p7s"
        if DurableFS.exists(p7s) {
            guard case .file(let signature, _) = SafeReader.read(p7s, maxSize: settings.config.intake.maxFileSize) else {
                let unreadable = DocumentValidation(file: display, problems: [.unreadable], notes: ["\(name).p7s could not be read"])
                return { unreadable }
            }
            return { validator.validateDetached(content: content, signature: signature, name: display, arrival: arrival) }
        }
        return { validator.validatePDF(content, name: display, arrival: arrival) }
    }
}

/// The optional `<key>.json` of SPEC §3: number, type, subject, date,
/// recipients. Hostile input: anything unexpected is simply not used.
struct Manifest {
    var document: DocumentNumber?
    var type: DocumentType?
    var subject: String?

    static func parse(_ bytes: [UInt8]) -> Manifest? {
        guard bytes.count <= 1 << 20,
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        var m = Manifest()
        if let number = object["number"] as? String {
            m.document = DocumentNumber.find(in: number.precomposedStringWithCanonicalMapping)
        }
        if let code = object["type"] as? String { m.type = DocumentType.from(code: code) }
        if let subject = object["subject"] as? String { m.subject = subject.precomposedStringWithCanonicalMapping }
        return m
    }
}
