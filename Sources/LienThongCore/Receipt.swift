import Foundation

/// A receipt of SPEC §6: what the sender is told about one decided submission.
public struct Receipt: Sendable, Equatable {
    public struct FileEntry: Sendable, Equatable {
        public var name: String
        public var role: FileRole
        public var size: Int64
        public var sha256: String
        public init(name: String, role: FileRole, size: Int64, sha256: String) {
            self.name = name
            self.role = role
            self.size = size
            self.sha256 = sha256
        }
    }

    public var submission: String
    public var unit: String
    public var unitName: String
    public var key: String
    public var document: DocumentNumber?
    public var type: DocumentType
    public var accepted: Bool
    public var reasons: [Finding]
    public var warnings: [String]
    public var arrivalNumber: Int?
    public var files: [FileEntry]
    public var signatures: [SignatureFinding]
    public var receivedAt: Date
    public var decidedAt: Date
    public var rule: String
    /// The receiving office ("Văn phòng UBND tỉnh …"), named in the text
    /// receipt so a clerk knows where the document went; empty when unknown.
    public var officeName: String = ""

    public init(
        submission: String, unit: String, unitName: String, key: String, document: DocumentNumber?,
        type: DocumentType, accepted: Bool, reasons: [Finding], warnings: [String], arrivalNumber: Int?,
        files: [FileEntry], signatures: [SignatureFinding], receivedAt: Date, decidedAt: Date, rule: String
    ) {
        self.submission = submission
        self.unit = unit
        self.unitName = unitName
        self.key = key
        self.document = document
        self.type = type
        self.accepted = accepted
        self.reasons = reasons
        self.warnings = warnings
        self.arrivalNumber = arrivalNumber
        self.files = files
        self.signatures = signatures
        self.receivedAt = receivedAt
        self.decidedAt = decidedAt
        self.rule = rule
    }

    public var verdict: Verdict { Verdict(accepted: accepted) }
    /// edXML status: 03 accepted (đã tiếp nhận), 02 returned (trả lại).
    public var status: String { accepted ? "03" : "02" }

    /// The JSON of SPEC §6. Reason messages are in the receipt language.
    public func json(language: ReceiptLanguage, timeZone: TimeZone) -> JSONValue {
        var document: [(String, JSONValue)] = []
        if let d = self.document {
            document.append(("number", .string(d.number)))
            if let y = d.year { document.append(("year", .string(y))) }
            document.append(("symbol", .string(d.symbol)))
        }
        document.append(("type", .string(type.code)))
        var fields: [(String, JSONValue)] = [
            ("submission", .string(submission)),
            ("unit", .string(unit)),
            ("key", .string(key)),
            ("document", .object(document)),
            ("verdict", .string(verdict.rawValue)),
            ("status", .string(status)),
            ("reasons", .array(reasons.map { r in
                var o: [(String, JSONValue)] = [("code", .string(r.code.rawValue)), ("message", .string(ReasonText.sentence(r.code, language))),
                                                 ("next_step", .string(ReasonAction.nextStep(r.code, language)))]
                if !r.detail.isEmpty { o.append(("detail", .string(r.detail))) }
                return .object(o)
            })),
        ]
        if let n = arrivalNumber { fields.append(("arrival_number", .int(Int64(n)))) }
        fields.append(("files", .array(files.map { f in
            .object([("name", .string(f.name)), ("role", .string(f.role.rawValue)), ("size", .int(f.size)), ("sha256", .string(f.sha256))])
        })))
        fields.append(("signatures", .array(signatures.map { s in
            .object([
                ("file", .string(s.file)),
                ("signer", .string(s.signer)),
                ("organization", .string(s.organization)),
                ("signing_time", s.signingTime.map { .string(RFC3339.format($0, timeZone: timeZone)) } ?? .null),
                ("time_source", .string(s.timeSource.rawValue)),
                ("valid", .bool(s.valid)),
                ("problems", .array(s.problems.map { .string($0.rawValue) })),
            ])
        })))
        if !warnings.isEmpty { fields.append(("warnings", .array(warnings.map { .string($0) }))) }
        fields.append(("received_at", .string(RFC3339.format(receivedAt, timeZone: timeZone))))
        fields.append(("decided_at", .string(RFC3339.format(decidedAt, timeZone: timeZone))))
        fields.append(("rule", .string(rule)))
        return .object(fields)
    }
}

/// RFC 3339 timestamps with the province's UTC offset (`2026-11-24T09:30:00+07:00`).
public enum RFC3339 {
    public static func format(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let hh = abs(offset) / 3600, mm = abs(offset) % 3600 / 60
        // Written into one buffer (a dozen small strings joined cost a
        // receipt more than its JSON). For components of 0 and more, zeros
        // before String(n) (`padded`) and printf's %0Nd are the same digits.
        guard (c.year ?? 0) >= 0, (c.month ?? 0) >= 0, (c.day ?? 0) >= 0, (c.hour ?? 0) >= 0, (c.minute ?? 0) >= 0, (c.second ?? 0) >= 0
        else { return padded(c, offset) }
        var out: [UInt8] = []
        out.reserveCapacity(25)
        func p(_ n: Int?, _ w: Int = 2) { ZeroPadded.append(n ?? 0, width: w, to: &out) }
        func s(_ text: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        p(c.year, 4); s("-"); p(c.month); s("-"); p(c.day); s("T"); p(c.hour); s(":"); p(c.minute); s(":"); p(c.second)
        s(offset < 0 ? "-" : "+"); p(hh); s(":"); p(mm)
        return String(decoding: out, as: UTF8.self)
    }

    /// The definition, zeros put before `String(n)`: for a component below
    /// zero, which a Gregorian calendar does not give.
    static func padded(_ c: DateComponents, _ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let hh = abs(offset) / 3600, mm = abs(offset) % 3600 / 60
        func p(_ n: Int?, _ w: Int = 2) -> String {
            let s = String(n ?? 0)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(p(c.year, 4))-\(p(c.month))-\(p(c.day))T\(p(c.hour)):\(p(c.minute)):\(p(c.second))\(sign)\(p(hh)):\(p(mm))"
    }
}
