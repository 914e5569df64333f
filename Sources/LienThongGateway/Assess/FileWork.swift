import Foundation
import LienThongCore
import LienThongSignature
import LienThongSpool

/// The reading of one submission's claimed files and the validation of its
/// electronic parts, run on a worker thread (`AssessWorkers`): every file
/// whose facts are not known yet is read safely (`SafeReader`), hashed and
/// sniffed, then the roles are given and each electronic part without a
/// validation is validated. What it needs from the loop is copied in; what
/// it finds goes back as an `Outcome` the loop takes into the submission.
///
/// Why here and not on the loop: reading, hashing and sniffing were a fifth
/// of the loop's CPU in a burst (make profile), and the sniff of a hostile
/// PDF may take its whole bound (2 s), during which no other unit's file was
/// claimed or decided.
struct FileWork: Sendable {
    /// A listed file of the submission and its stamp when listed.
    struct Listed: Equatable, Sendable {
        let name: FileName
        let stamp: FileStamp
    }

    /// What the loop already knows of a file (read in an earlier pass).
    struct Known: Sendable {
        let content: RoleClassifier.Content
        let readable: Bool
    }

    /// What reading one file found.
    enum Read: Sendable {
        /// `manifest`: for JSON content, the object parsed (nil when it is not one).
        case file(size: Int64, sha256: String, content: RoleClassifier.Content, manifest: Manifest?)
        case refused(kind: String, reason: ClaimedEntry.RefusalReason, size: Int64, sha256: String)
    }

    struct Outcome: Sendable {
        /// The files read, each for the stamp it was listed with.
        var reads: [FileName: (read: Read, stamp: FileStamp)] = [:]
        /// The electronic parts validated, each for its file's stamp.
        var validations: [FileName: (validation: DocumentValidation, stamp: FileStamp)] = [:]
        /// A file changed while it was read (a sender still writing through
        /// a handle it kept): its facts are not in `reads`.
        var changed = false
    }

    let root: String
    let key: String
    let listing: [Listed]
    let known: [FileName: Known]
    /// Electronic parts whose validation the loop already holds.
    let validated: Set<FileName>
    let arrival: Date
    let maxFileSize: Int64
    let validator: SignatureValidator

    /// The sniff that gives a file its role: a file too costly to scan in
    /// 2 s counts as signed, and its validation (under the full budget)
    /// says why it is refused.
    static let sniffLimits: ValidationLimits = {
        var limits = ValidationLimits.standard
        limits.maxSeconds = 2
        return limits
    }()

    /// `validating`: false to read only (the loop reading for an operator
    /// who waits for the answer); the validations are then started as usual.
    func run(validating: Bool = true) -> Outcome {
        var outcome = Outcome()
        // Bytes are kept only for the files validated here.
        var bytesOf: [FileName: [UInt8]] = [:]
        var content: [FileName: RoleClassifier.Content] = [:]
        var readable: Set<FileName> = []
        for entry in listing {
            if let k = known[entry.name] {
                content[entry.name] = k.content
                if k.readable { readable.insert(entry.name) }
                continue
            }
            let path = root + "/" + entry.name.string
            let (read, bytes) = Self.read(path, name: entry.name, maxSize: maxFileSize)
            // The facts hold for the bytes read: a file that changed meanwhile is read again later.
            guard FileStamp.of(path) == entry.stamp else {
                outcome.changed = true
                continue
            }
            outcome.reads[entry.name] = (read, entry.stamp)
            if case .file(_, _, let c, _) = read {
                content[entry.name] = c
                readable.insert(entry.name)
                if let bytes { bytesOf[entry.name] = bytes }
            } else {
                content[entry.name] = .unknown
            }
        }
        // Roles only over what is known: a file still unread (it changed)
        // could change them, and the loop then asks again anyway.
        guard !outcome.changed, validating else { return outcome }
        let names = listing.map(\.name)
        let roles = RoleClassifier.roles(names: names, content: content, key: key)
        for entry in listing where roles[entry.name] == .electronic && readable.contains(entry.name) && !validated.contains(entry.name) {
            let path = root + "/" + entry.name.string
            let display = entry.name.string
            // Read in this job: its stamp was checked after that read. Known
            // from an earlier pass: read again here, and checked again.
            var document = bytesOf[entry.name]
            if document == nil {
                document = Self.bytes(path, maxSize: maxFileSize)
                guard FileStamp.of(path) == entry.stamp else {
                    outcome.changed = true
                    continue
                }
            }
            let validation = document.map { validate($0, entry.name, among: names, kept: bytesOf) }
                ?? DocumentValidation(file: display, problems: [.unreadable], notes: ["\(display) could not be read again to validate it"])
            outcome.validations[entry.name] = (validation, entry.stamp)
        }
        return outcome
    }

    /// One electronic part validated: against its detached `.p7s` when it
    /// has one (RoleClassifier.signature: the exact name, or the one
    /// NFC/NFD-equivalent), checked against this file's own bytes; else as a
    /// signed PDF.
    private func validate(_ document: [UInt8], _ name: FileName, among names: [FileName], kept: [FileName: [UInt8]]) -> DocumentValidation {
        let display = name.string
        guard let signatureName = RoleClassifier.signature(of: name, among: names) else {
            return validator.validatePDF(document, name: display, arrival: arrival)
        }
        guard let signature = kept[signatureName] ?? Self.bytes(root + "/" + signatureName.string, maxSize: maxFileSize) else {
            return DocumentValidation(file: display, problems: [.unreadable], notes: ["\(signatureName.string) could not be read"])
        }
        return validator.validateDetached(content: document, signature: signature, name: display, arrival: arrival)
    }

    /// Reads one file: its facts, and its bytes when a validation may need
    /// them (signed PDFs, detached signatures).
    static func read(_ path: String, name: FileName, maxSize: Int64) -> (Read, [UInt8]?) {
        switch SafeReader.read(path, maxSize: maxSize) {
        case .file(let bytes, let sha):
            let signed = SignatureValidator.looksLikePDF(bytes) && SignatureValidator.pdfHasSignature(bytes, limits: sniffLimits)
            let content = RoleClassifier.sniff(head: Array(bytes.prefix(1024)), isSignedPDF: signed)
            let keep = content == .signedPDF || RoleClassifier.isP7s(name)
            let manifest = content == .json ? Manifest.parse(bytes) : nil
            return (.file(size: Int64(bytes.count), sha256: sha, content: content, manifest: manifest), keep ? bytes : nil)
        case .refused(let kind, let reason, let size, let sha):
            return (.refused(kind: kind, reason: reason, size: size, sha256: sha), nil)
        }
    }

    /// The bytes of a file, or nil when it cannot be read whole.
    static func bytes(_ path: String, maxSize: Int64) -> [UInt8]? {
        if case .file(let bytes, _) = SafeReader.read(path, maxSize: maxSize) { return bytes }
        return nil
    }
}
