/// Pairing, the heart of the rule (SPEC §3): which files form one submission.
/// Files of one unit pair when they share a key: the name key (the name
/// without extensions and scan marker, NFC), or the document number and
/// symbol it holds; a dropped folder is one submission by its name.
/// Typed, never prefixed strings; pure, so it is tested without a daemon.
public struct PairingKey: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case name = "key", document = "doc", folder = "folder" }
    public let kind: Kind
    public let value: String

    public init(_ kind: Kind, _ value: String) {
        self.kind = kind
        self.value = value
    }

    public static func name(_ key: String) -> PairingKey { PairingKey(.name, key) }
    public static func document(_ number: DocumentNumber) -> PairingKey { PairingKey(.document, number.pairingIdentity) }
    public static func folder(_ key: String) -> PairingKey { PairingKey(.folder, key) }

    /// As the ledger stores it (`key:…`, `doc:…`, `folder:…`).
    public var description: String { kind.rawValue + ":" + value }

    public init?(stored: String) {
        guard let colon = stored.firstIndex(of: ":"), let kind = Kind(rawValue: String(stored[..<colon])) else { return nil }
        self.init(kind, String(stored[stored.index(after: colon)...]))
    }
}

/// The pairing a submission is recorded under in the ledger: its main key
/// and, for the office's own documents, the group folder they were dropped
/// in ("" for `office/outbox/` itself). The stored text is stable across
/// versions: `doc:…`, `key:…`, `folder:…`, `outbound:<group>|key:…`.
public struct SubmissionPairing: Hashable, Sendable, CustomStringConvertible {
    public var key: PairingKey
    public var outboundGroup: String?

    public init(_ key: PairingKey, outboundGroup: String? = nil) {
        self.key = key
        self.outboundGroup = outboundGroup
    }

    static let outboundPrefix = "outbound:"

    public var description: String {
        guard let group = outboundGroup else { return key.description }
        return Self.outboundPrefix + group + "|" + key.description
    }

    /// The stored text read back; text from an unknown writer is kept as a
    /// name key, so nothing read from a ledger is ever refused.
    public init(stored: String) {
        var rest = Substring(stored)
        if rest.hasPrefix(Self.outboundPrefix) {
            rest = rest.dropFirst(Self.outboundPrefix.count)
            let group = rest.prefix { $0 != "|" }
            outboundGroup = String(group)
            rest = rest.dropFirst(group.count + 1)
        }
        key = PairingKey(stored: String(rest)) ?? .name(String(rest))
    }
}

public enum Pairing {
    /// The keys a loose file pairs by, from its submission key.
    public static func keys(forKey key: String) -> Set<PairingKey> {
        var keys: Set<PairingKey> = [.name(key)]
        if let number = DocumentNumber.find(in: key) { keys.insert(.document(number)) }
        return keys
    }

    /// The keys of a dropped file's name.
    public static func keys(forFileName name: String) -> Set<PairingKey> {
        keys(forKey: SubmissionKey.key(forFileName: name))
    }

    /// Whether files with these keys belong together.
    public static func pairs(_ a: Set<PairingKey>, _ b: Set<PairingKey>) -> Bool { !a.isDisjoint(with: b) }

    /// What a new submission of loose files is recorded under: its document
    /// number when its key holds one (so the same number sent again is
    /// found), else its name key.
    public static func recorded(_ keys: Set<PairingKey>, key: String, outboundGroup: String? = nil) -> SubmissionPairing {
        SubmissionPairing(keys.first { $0.kind == .document } ?? .name(key), outboundGroup: outboundGroup)
    }
}
