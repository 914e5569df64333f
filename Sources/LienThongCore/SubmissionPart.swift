import Foundation

/// What a file is to its submission (SPEC §3, §6), judged by content.
public enum FileRole: String, Codable, Sendable {
    case electronic, scan, signature, manifest, other
}

/// A problem found with one file itself, before any signature is looked at.
public struct Finding: Codable, Sendable, Equatable {
    public var code: ReasonCode
    /// Specific detail (which file, what limit), written in the gateway's
    /// receipt language; receipts add the code's own sentence before it.
    public var detail: String
    public init(_ code: ReasonCode, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }
}

/// One file of a submission, as the decision sees it.
public struct SubmissionPart: Sendable, Equatable {
    /// Path inside the submission (a name for loose files, `sub/x.pdf` inside a dropped folder).
    public var name: String
    public var role: FileRole
    public var size: Int64
    public var sha256: String
    /// Set when the file could not be taken as it is (too large, unreadable, not a regular file…).
    public var problem: Finding?
    /// For electronic parts: what the signature check found.
    public var validation: DocumentValidation?

    public init(
        name: String, role: FileRole, size: Int64 = 0, sha256: String = "", problem: Finding? = nil,
        validation: DocumentValidation? = nil
    ) {
        self.name = name
        self.role = role
        self.size = size
        self.sha256 = sha256
        self.problem = problem
        self.validation = validation
    }
}

/// Gives a file its role from its first bytes and its neighbours, never from
/// its extension alone: a `.pdf` that is not a PDF is `other`.
public enum RoleClassifier {
    public enum Content: Sendable {
        case signedPDF, unsignedPDF, image, json, unknown
    }

    /// Recognises the formats a scan comes in.
    public static func sniff(head: [UInt8], isSignedPDF: Bool) -> Content {
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && Array(head.prefix(magic.count)) == magic }
        if let pdf = findPDFHeader(head), pdf { return isSignedPDF ? .signedPDF : .unsignedPDF }
        if starts([0xFF, 0xD8, 0xFF]) || starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            || starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
        {
            return .image
        }
        if let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }), first == UInt8(ascii: "{") {
            return .json
        }
        return .unknown
    }

    /// `%PDF-` within the first 1024 bytes, as readers accept it.
    static func findPDFHeader(_ head: [UInt8]) -> Bool? {
        let magic: [UInt8] = Array("%PDF-".utf8)
        let limit = min(head.count, 1024)
        guard limit >= magic.count else { return nil }
        for i in 0...(limit - magic.count) where head[i] == magic[0] {
            if Array(head[i..<(i + magic.count)]) == magic { return true }
        }
        return nil
    }

    /// Roles for a whole submission. `names` are the parts' names; a file with
    /// a `<name>.p7s` beside it is electronic whatever its format, and the
    /// `.p7s` is its signature. `<key>.json` holding an object is the manifest.
    static let p7sSuffix = Array(".p7s".utf8)

    /// `.p7s` in any case.
    public static func isP7s(_ n: FileName) -> Bool {
        n.bytes.count > p7sSuffix.count && n.bytes.suffix(p7sSuffix.count).map { $0 | 0x20 } == p7sSuffix
    }

    /// The file a detached signature signs: the one whose name is its own
    /// without `.p7s`, byte for byte (an NFD twin of that name is another
    /// file); failing that, the one file whose name is canonically equivalent
    /// — a Mac client sends the document in NFD while the signing tool named
    /// the `.p7s` in NFC. Several equivalent files: none (which one is unknowable).
    public static func signedFile(by signature: FileName, among names: Set<FileName>) -> FileName? {
        guard isP7s(signature) else { return nil }
        let exact = FileName(bytes: Array(signature.bytes.dropLast(p7sSuffix.count)))
        if names.contains(exact) { return exact }
        let equivalent = names.filter { !isP7s($0) && $0.string == exact.string }  // String == is canonical equivalence
        return equivalent.count == 1 ? equivalent.first : nil
    }

    /// The detached signature of `file` among `names` (an exact-bytes `.p7s` first).
    public static func signature(of file: FileName, among names: [FileName]) -> FileName? {
        let set = Set(names)
        let signatures = names.filter { isP7s($0) && signedFile(by: $0, among: set) == file }
        return signatures.first { $0.bytes.dropLast(p7sSuffix.count).elementsEqual(file.bytes) } ?? signatures.min()
    }

    public static func roles(names: [FileName], content: [FileName: Content], key: String) -> [FileName: FileRole] {
        let nameSet = Set(names)
        // Files that a detached signature signs, whatever the case of its `.p7s`.
        let signedTargets = Set(names.filter(isP7s).compactMap { signedFile(by: $0, among: nameSet) })
        var roles: [FileName: FileRole] = [:]
        for name in names {
            if isP7s(name) {
                roles[name] = signedFile(by: name, among: nameSet) != nil ? .signature : .other
                continue
            }
            if signedTargets.contains(name) {
                roles[name] = .electronic
                continue
            }
            switch content[name] ?? .unknown {
            case .signedPDF: roles[name] = .electronic
            case .unsignedPDF, .image: roles[name] = .scan
            case .json:
                let text = name.string
                let base = (text as NSString).lastPathComponent
                // By scalars: a prepended mark before the dot hides it from `hasSuffix` (see SubmissionKey).
                let isJSON = String(text.unicodeScalars.suffix(5)).lowercased() == ".json"
                roles[name] = SubmissionKey.key(forFileName: base) == key && isJSON ? .manifest : .other
            case .unknown: roles[name] = .other
            }
        }
        return roles
    }
}
