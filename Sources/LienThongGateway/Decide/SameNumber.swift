import Foundation
import LienThongCore
import LienThongSpool

extension DecideStage {
    /// The same document number and symbol already accepted from this unit,
    /// with other content (the same content is a `duplicate` rejection):
    /// not a reason to reject — a corrected re-issue is legitimate — but the
    /// clerks must see it, so the receipt says so and names the earlier one.
    func sameNumberWarnings(_ sub: OpenSubmission, _ a: Assessment) throws -> [String] {
        guard let document = a.document else { return [] }
        if a.parts.contains(where: { $0.problem?.code == .duplicate }) { return [] }
        let earlier = try ledger.acceptedSubmissions(unit: sub.unit, pairing: .document(document), excluding: sub.id)
        guard !earlier.isEmpty else { return [] }
        return [DecisionWarning.sameNumberAccepted(document: document, earlier: earlier).text(settings.config.language)]
    }
}
