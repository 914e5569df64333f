import Foundation

/// `<key>.pending.txt` / `.pending.json` (SPEC §6): what a waiting
/// submission is missing and until when. The decision's receipt replaces it.
public struct PendingNotice: Sendable, Equatable {
    public var submission: String
    public var unit: String
    public var unitName: String
    public var officeName: String
    public var key: String
    public var document: DocumentNumber?
    public var type: DocumentType
    public var reason: WaitReason
    public var receivedAt: Date
    /// When the submission is decided if nothing more arrives.
    public var until: Date
    public var rule: String

    public init(submission: String, unit: String, unitName: String, officeName: String, key: String, document: DocumentNumber?,
                type: DocumentType, reason: WaitReason, receivedAt: Date, until: Date, rule: String) {
        self.submission = submission
        self.unit = unit
        self.unitName = unitName
        self.officeName = officeName
        self.key = key
        self.document = document
        self.type = type
        self.reason = reason
        self.receivedAt = receivedAt
        self.until = until
        self.rule = rule
    }

    public func json(language: ReceiptLanguage, timeZone: TimeZone) -> JSONValue {
        var document: [(String, JSONValue)] = []
        if let d = self.document {
            document.append(("number", .string(d.number)))
            document.append(("symbol", .string(d.symbol)))
        }
        document.append(("type", .string(type.code)))
        return .object([
            ("submission", .string(submission)),
            ("unit", .string(unit)),
            ("key", .string(key)),
            ("document", .object(document)),
            ("verdict", .string("pending")),
            ("waiting_for", .string(reason.code)),
            ("missing", .string(PendingText.missing(reason, language))),
            ("files", .array(reason.files.map { .string($0) })),
            ("details", .array(reason.details.map { .string($0) })),
            // false while the gateway waits for its own revocation data.
            ("sender_must_act", .bool(reason.senderActs)),
            ("received_at", .string(RFC3339.format(receivedAt, timeZone: timeZone))),
            ("decide_by", .string(RFC3339.format(until, timeZone: timeZone))),
            ("rule", .string(rule)),
        ])
    }

    /// The notice as written into `receipts/`: BOM and CRLF (`NotepadText`).
    public func file(language: ReceiptLanguage, timeZone: TimeZone) -> String {
        NotepadText.encode(PendingText.render(self, language: language, timeZone: timeZone))
    }
}
