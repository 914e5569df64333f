import Foundation

/// Where a signature's signing time came from, most trusted first (SPEC §5).
public enum SigningTimeSource: String, Codable, Sendable {
    /// An RFC 3161 signature timestamp token from a configured TSA.
    case timestamp
    /// The signed CMS `signingTime` attribute (the signer's own claim).
    case signingTime = "signing-time"
    /// The PDF signature dictionary's `/M` entry (unsigned claim).
    case pdfModified = "pdf-m"
    /// No time at all: the chain was checked at arrival.
    case arrival
}

/// What validation found out about one signature. Plain data: the signature
/// module fills it in, the decision and the receipt read it.
public struct SignatureFinding: Codable, Sendable, Equatable {
    /// The signed file's name inside the submission.
    public var file: String
    /// Signer's common name (subject CN), as printed in the receipt.
    public var signer: String
    /// Signer's organisation (subject O, else OU), may be empty.
    public var organization: String
    /// The full subject of the signer certificate, one line (for signer binding).
    public var subject: String
    public var signingTime: Date?
    public var timeSource: SigningTimeSource
    /// The signature is valid as the law reads it (all checks passed).
    public var valid: Bool
    /// Reason codes for what is wrong with this signature (empty when valid).
    public var problems: [ReasonCode]
    /// Evidence for the validation report: the chain (subject lines, leaf first),
    /// the CRLs consulted, and free-text notes (why a check failed).
    public var chain: [String]
    public var crlsUsed: [String]
    public var notes: [String]
    /// Revocation data the gateway lacks for this signature's chain ("CRL of
    /// <issuer> expired <date>"): not a fault of the document, so it is not
    /// decided until the data arrives. nil when nothing is lacking (and in
    /// findings recorded before this field existed).
    public var revocationWait: [String]?

    public init(
        file: String, signer: String = "", organization: String = "", subject: String = "",
        signingTime: Date? = nil, timeSource: SigningTimeSource = .arrival, valid: Bool = false,
        problems: [ReasonCode] = [], chain: [String] = [], crlsUsed: [String] = [], notes: [String] = []
    ) {
        self.file = file
        self.signer = signer
        self.organization = organization
        self.subject = subject
        self.signingTime = signingTime
        self.timeSource = timeSource
        self.valid = valid
        self.problems = problems
        self.chain = chain
        self.crlsUsed = crlsUsed
        self.notes = notes
    }
}

/// The verdict on one electronic document (a signed PDF, or a file with its
/// detached `.p7s`).
public struct DocumentValidation: Codable, Sendable, Equatable {
    public var file: String
    public var signatures: [SignatureFinding]
    /// Document-level problems (no signature found, bytes added after the last
    /// signature, unparseable file). Signature-level problems are in `signatures`.
    public var problems: [ReasonCode]
    public var notes: [String]
    /// Set when validation stopped at a bound of its budget (the file is then
    /// `unreadable` and no signature counts as checked).
    public var stopped: ValidationStop?

    public init(file: String, signatures: [SignatureFinding] = [], problems: [ReasonCode] = [], notes: [String] = [],
                stopped: ValidationStop? = nil) {
        self.file = file
        self.signatures = signatures
        self.problems = problems
        self.notes = notes
        self.stopped = stopped
    }

    /// Every signature valid, at least one signature, and no document-level problem.
    public var isValid: Bool {
        problems.isEmpty && !signatures.isEmpty && signatures.allSatisfy(\.valid)
    }

    /// What revocation data the gateway still lacks for a document that has
    /// nothing else wrong: non-empty means "wait", never "reject" (SPEC §5).
    /// Empty when anything else is wrong — that is decided at once.
    public var waitingForRevocation: [String] {
        guard problems.isEmpty, !signatures.isEmpty, signatures.allSatisfy(\.problems.isEmpty) else { return [] }
        var seen: [String] = []
        for line in signatures.flatMap({ $0.revocationWait ?? [] }) where !seen.contains(line) { seen.append(line) }
        return seen
    }

    /// All reason codes, document and signature level, without repeats, in contract order.
    public var reasons: [ReasonCode] {
        Array(Set(problems + signatures.flatMap(\.problems))).sorted()
    }
}
