import Foundation

/// The optional `<key>.json` beside a document (SPEC §3, §7), inbound and
/// outbound alike — one parser:
/// `{"subject": "...", "recipients": ["000.00.21.H41", "districts"], "type": "GM", "number": "25/GM-UBND"}`.
/// Hostile input like every dropped file: anything unexpected is ignored,
/// and a manifest that is not JSON at all is reported.
public struct Manifest: Sendable, Equatable {
    public var subject: String?
    public var recipients: [String] = []
    public var type: DocumentType?
    public var document: DocumentNumber?

    public init(subject: String? = nil, recipients: [String] = [], type: DocumentType? = nil, document: DocumentNumber? = nil) {
        self.subject = subject
        self.recipients = recipients
        self.type = type
        self.document = document
    }

    /// nil when the bytes are not a JSON object (or too large to be a manifest).
    public static func parse(_ bytes: [UInt8]) -> Manifest? {
        guard bytes.count <= 1 << 20,
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        var m = Manifest()
        if let s = object["subject"] as? String { m.subject = s.precomposedStringWithCanonicalMapping }
        if let list = object["recipients"] as? [Any] {
            // Bounded: a manifest naming a million recipients is not a manifest.
            m.recipients = list.prefix(10_000).compactMap { ($0 as? String)?.precomposedStringWithCanonicalMapping }
        } else if let one = object["recipients"] as? String {
            m.recipients = [one.precomposedStringWithCanonicalMapping]
        }
        if let code = object["type"] as? String { m.type = DocumentType.from(code: code.precomposedStringWithCanonicalMapping) }
        if let number = object["number"] as? String { m.document = DocumentNumber.find(in: number.precomposedStringWithCanonicalMapping) }
        return m
    }
}
