import Foundation
import LienThongConfig
import LienThongCore
import LienThongSignature
import LienThongSpool

/// Everything derived from one loaded configuration. Replaced whole on
/// reload, so a half-applied config can never run.
public struct GatewaySettings {
    public let config: GatewayConfig
    public let layout: SpoolLayout
    public let policy: DecisionPolicy
    public let ignore: IgnorePatterns
    public let trust: TrustStore
    public let validator: SignatureValidator
    public let timeZone: TimeZone
    /// Every watched drop folder: the units' outboxes, then the office's
    /// (`officeOutboxes`). Made once per configuration: the watch asks for
    /// each event, and building 1,000 paths each time was a quarter of the
    /// daemon's CPU under load.
    public let outboxes: [String]
    /// The office's drop folders: every group folder first, then
    /// `office/outbox/` itself (the watcher maps an event to the most
    /// specific drop folder that holds it).
    public let officeOutboxes: [String]
    /// By bytes: the NFD twin of a group folder's name is not that outbox.
    private let outboxSet: Set<FileName>

    public init(config: GatewayConfig) throws {
        self.config = config
        layout = SpoolLayout(root: config.spool)
        timeZone = ProvinceCalendar.timeZone
        policy = DecisionPolicy(
            settle: config.intake.settle, pairingWindow: config.intake.pairingWindow, effective: config.rule.effective,
            timeZone: timeZone, electronicOnly: config.rule.electronicOnly, registry: config.registry, language: config.language)
        ignore = IgnorePatterns(config.intake.ignore)
        trust = try TrustStore(anchorsDirectory: config.trust.anchors, crlDirectory: config.trust.crls, tsaDirectory: config.trust.tsa)
        validator = SignatureValidator(trust: trust, maxClockSkew: config.trust.maxClockSkew, revocationGrace: config.trust.revocationGrace)
        let office = Self.recipientResolver(config)
        let spool = layout
        let offices = office.groupFolderNames.map { spool.officeOutbox + "/" + $0 } + [spool.officeOutbox]
        officeOutboxes = offices
        outboxes = config.registry.ids.map { spool.outbox($0) } + offices
        outboxSet = Set(outboxes.map { FileName($0) })
    }

    /// Whether `path` is one of the watched drop folders (spelled as in `outboxes`).
    public func isOutbox(_ path: String) -> Bool { outboxSet.contains(FileName(path)) }

    /// A finding's detail in the receipts' language (the words are Core's).
    func detail(_ phrase: FindingDetail) -> String { phrase.text(config.language) }

    public static func load(path: String) throws -> GatewaySettings {
        try GatewaySettings(config: try ConfigLoader.load(path: path))
    }

    /// The unit whose outbox is `root`, if any.
    public func unit(forOutbox root: String) -> LienThongCore.Unit? {
        let prefix = layout.units + "/"
        guard root.hasPrefix(prefix), root.hasSuffix("/outbox") else { return nil }
        let id = String(root.dropFirst(prefix.count).dropLast("/outbox".count))
        return config.registry[id]
    }
}
