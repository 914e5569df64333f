import Foundation
import LienThongCore

/// Which time a signature is judged at (SPEC §5), most trusted first: a
/// verified signature timestamp, the signed signingTime attribute, the PDF /M,
/// else the arrival time. Apart from it, the time a trusted timestamp proves
/// the signature existed at: its own timestamp, else the earliest valid
/// document timestamp after it (a document timestamp says nothing of when a
/// signature was made, only that it existed by then).
enum SigningTimePolicy {
    /// Vietnam is UTC+7 all year.
    static let vietnamOffset: TimeInterval = 7 * 3600

    struct Resolved {
        var time: Date
        var source: SigningTimeSource
        var arrival: Date
        /// Proven by a trusted timestamp (not the signer's own word).
        var proven: Bool
        /// The signature provably existed at this time (keyCompromise rule,
        /// revocation data issued afterwards); nil without a trusted timestamp.
        var existedBy: Date? = nil
        var inFuture = false
        var notes: [String] = []

        /// A time later than the arrival allows (`latest`: the arrival plus
        /// the clock skew) is in the future; the note says which time.
        mutating func flagIfAfterArrival(_ what: String, latest: Date) {
            guard time > latest else { return }
            inFuture = true
            notes.append("\(what) \(time.rfc3339) is after the arrival \(arrival.rfc3339)")
        }
    }

    static func resolve(timestamp: Date?, claimed: Date?, pdfModified: Date?, arrival: Date, maxClockSkew: TimeInterval,
                        documentTimestamp: DocumentContext.Proof? = nil) -> Resolved {
        var r = resolveClaim(timestamp: timestamp, claimed: claimed, pdfModified: pdfModified, arrival: arrival, maxClockSkew: maxClockSkew)
        if timestamp == nil, let proof = documentTimestamp {
            r.existedBy = proof.time
            r.notes.append("\(proof.source) proves the signature existed at \(proof.time.rfc3339)")
            if r.time > proof.time.addingTimeInterval(maxClockSkew) {
                r.notes.append("the signing time \(r.time.rfc3339) claimed by the signer is after that document timestamp")
            }
        }
        return r
    }

    private static func resolveClaim(timestamp: Date?, claimed: Date?, pdfModified: Date?, arrival: Date, maxClockSkew: TimeInterval) -> Resolved {
        let latest = arrival.addingTimeInterval(maxClockSkew)
        if let timestamp {
            var r = Resolved(time: timestamp, source: .timestamp, arrival: arrival, proven: true, existedBy: timestamp)
            if let claimed, abs(claimed.timeIntervalSince(timestamp) - vietnamOffset) <= maxClockSkew + 3600 {
                r.notes.append("signingTime \(claimed.rfc3339) is about 7 h after the timestamp: Vietnam local time written as UTC; the timestamp \(timestamp.rfc3339) settles it")
            }
            r.flagIfAfterArrival("the timestamp", latest: latest)
            return r
        }
        if let claimed {
            var r = Resolved(time: claimed, source: .signingTime, arrival: arrival, proven: false)
            if claimed > latest, claimed.timeIntervalSince(arrival) <= vietnamOffset + maxClockSkew {
                // Some Vietnamese signing tools write local time and mark it UTC.
                r.time = claimed.addingTimeInterval(-vietnamOffset)
                r.notes.append("signingTime \(claimed.rfc3339) is after the arrival \(arrival.rfc3339) by less than 7 h: taken as Vietnam local time mislabelled as UTC, i.e. \(r.time.rfc3339)")
            } else {
                r.flagIfAfterArrival("signingTime", latest: latest)
            }
            return r
        }
        if let pdfModified {
            var r = Resolved(time: pdfModified, source: .pdfModified, arrival: arrival, proven: false)
            r.flagIfAfterArrival("the PDF /M time", latest: latest)
            return r
        }
        return Resolved(time: arrival, source: .arrival, arrival: arrival, proven: false,
                        notes: ["no signing time in the signature: checked at the arrival time \(arrival.rfc3339)"])
    }
}
