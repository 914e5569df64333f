/// Stable journal MESSAGE_IDs of lienthongd's events.
///
/// Each was generated once (random 128-bit, RFC 4122 version 4) and must never
/// change: operators filter on them (`journalctl MESSAGE_ID=…`) and
/// `systemd/lienthong.catalog` explains each one under the same id, so
/// `journalctl -x` prints what happened and what to do. A new event gets a new
/// id here and a new catalog entry; an id is never reused for another meaning.
public enum MessageID {
    /// An inbound submission was accepted (an arrival number was given).
    public static let accepted = "ffad6ca9d26a495a937c309b9441024c"
    /// A submission was rejected; LIENTHONG_REASON lists the reason codes.
    public static let rejected = "2644bca1357145bba0c6757506ed73d2"
    /// A dropped file could not be handled as a document (not a regular file,
    /// unreadable) and was moved to archive/quarantine.
    public static let quarantined = "0a8e79ba85ee4abc90d1c393cfb3990e"
    /// An outbound document was delivered into a recipient's inbox.
    public static let delivered = "51be0ff723574f368feb95d79345ef2a"
    /// An outbound delivery failed for good (delivery_lifetime has passed).
    public static let deliveryFailed = "ae41c923513040bda0363dedf2aaffd5"
    /// The daemon is watching its folders (sent with READY=1).
    public static let started = "6aa04c81b9e7438088691bc4c1fe96d7"
    /// A reload (SIGHUP) applied a new configuration, registry, anchors and CRLs.
    public static let reloaded = "15232de537c945eb9de51e8137d59e30"
    /// A reload was refused; the previous configuration stays in force.
    public static let reloadFailed = "bc2009f13ae8460d87f5087679fcb4d4"
    /// The daemon is shutting down (SIGTERM) after the step in hand.
    public static let stopping = "b22c117d81944982a6d9f49d39efba16"
    /// Watching is impaired: an inotify overflow or a watch that could not be
    /// added; the daemon rescans, but the operator should look at the limits.
    public static let watchImpaired = "372d0d473c9e49159742c6724fca25b1"
    /// `lienthongctl audit` found a problem in the spool (one entry per
    /// problem, LIENTHONG_PATH names the file or folder).
    public static let auditProblem = "209f704f68e64b25b25396813f1702b6"
    /// An outbound document named recipient groups that had no active unit on
    /// the day, or units that had ended (LIENTHONG_RECIPIENT lists them).
    public static let recipientsNotActive = "8fd7ad542dc5446dbe1f14ccb169785c"
    /// A valid-looking submission waits: the gateway lacks current revocation
    /// data (a CRL expired, not yet valid, or missing) for its signer's chain.
    public static let revocationWait = "b062cc2b3aa84027b89496b16e0a273f"
    /// The pairing window of a submission waiting for revocation data has
    /// passed: lienthongd held it for an operator instead of deciding.
    public static let revocationHeld = "b0ba5f80fc6c43568d9f58ebb70cb00d"

    /// Every id with its name, for the catalog consistency test and tooling.
    public static let all: [(name: String, id: String)] = [
        ("accepted", accepted), ("rejected", rejected), ("quarantined", quarantined),
        ("delivered", delivered), ("deliveryFailed", deliveryFailed), ("started", started),
        ("reloaded", reloaded), ("reloadFailed", reloadFailed), ("stopping", stopping),
        ("watchImpaired", watchImpaired), ("auditProblem", auditProblem),
        ("recipientsNotActive", recipientsNotActive),
        ("revocationWait", revocationWait), ("revocationHeld", revocationHeld),
    ]
}

/// The names of lienthong's own journal fields (SPEC §9), so that writers and
/// readers (`journalctl -u lienthongd LIENTHONG_VERDICT=rejected`) cannot drift.
public enum JournalField {
    public static let messageID = "MESSAGE_ID"
    public static let submission = "LIENTHONG_SUBMISSION"
    public static let unit = "LIENTHONG_UNIT"
    public static let key = "LIENTHONG_KEY"
    /// `accepted` or `rejected`.
    public static let verdict = "LIENTHONG_VERDICT"
    /// Reason codes (SPEC §4), comma-separated.
    public static let reason = "LIENTHONG_REASON"
    public static let arrivalNumber = "LIENTHONG_ARRIVAL_NUMBER"
    /// The recipient of a delivery.
    public static let recipient = "LIENTHONG_RECIPIENT"
    /// Configuration problems: the file, line and key a reload refused.
    public static let configFile = "LIENTHONG_CONFIG_FILE"
    public static let configLine = "LIENTHONG_CONFIG_LINE"
    public static let configKey = "LIENTHONG_CONFIG_KEY"
    /// The file or folder an audit problem is about.
    public static let path = "LIENTHONG_PATH"
}
