import LienThongCore
import LienThongSystemd

extension DecideStage {
    /// One journal entry per outbound document whose named groups had no
    /// active unit, or whose named units had ended (MessageID.recipientsNotActive):
    /// the office's clerks see it in the receipt, operators here.
    func logRecipientGaps(_ r: Receipt, recipients: RecipientResolver.Resolution) {
        guard !recipients.emptyGroups.isEmpty || !recipients.inactive.isEmpty else { return }
        let what = r.document.map { "\($0.display) (\(r.key))" } ?? r.key
        var parts: [String] = []
        if !recipients.emptyGroups.isEmpty { parts.append("groups with no active unit today: \(recipients.emptyGroups.joined(separator: ", "))") }
        if !recipients.inactive.isEmpty { parts.append("units no longer active: \(recipients.inactive.joined(separator: ", "))") }
        log.log(.warning, "outbound \(what): nothing delivered to \(parts.joined(separator: "; "))",
                fields: [(JournalField.messageID, MessageID.recipientsNotActive), (JournalField.submission, r.submission),
                         (JournalField.unit, r.unit), (JournalField.key, r.key),
                         (JournalField.recipient, (recipients.emptyGroups + recipients.inactive).joined(separator: ","))])
    }
}
