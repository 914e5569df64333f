import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Group commit: every ledger step inside `body` (claims, decisions,
    /// placements of one loop turn) commits in one transaction, one fsync of
    /// the WAL instead of one per step. Each step inside is a savepoint, so a
    /// step that fails is undone alone; if the commit itself fails (disk full:
    /// SQLITE_FULL) nothing of the batch happened and the caller retries.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        try db.transaction(body)
    }

    /// Marks many submissions placed in one transaction (`batchOfMarks`: a
    /// mark lost in a crash means filing them again at start, which finds
    /// them filed).
    public func markPlaced(submissions: [String], at: Date) throws {
        try batchOfMarks {
            for id in submissions { try markPlaced(submission: id, at: at) }
        }
    }

    /// `batch` for marks whose loss in a crash means only work done again,
    /// never a promise broken: claims marked (their intents are settled
    /// again at start), submissions marked placed (filed again at start).
    /// Saves the loop a WAL fsync per claim batch and per filed batch.
    public func batchOfMarks<T>(_ body: () throws -> T) throws -> T {
        try batchWithoutWaiting(body)
    }

    /// `batch`, committed without waiting for the disk (WAL with
    /// synchronous=NORMAL): the next commit that waits, or a checkpoint, or
    /// `makeDurable`, writes it out with it — the WAL is written in order
    /// and an fsync of it covers every commit before, so a crash can only
    /// lose the last commits, never one before another that survives. The
    /// caller acts on what it committed only once it is durable
    /// (`durableCommits` read right after, given to `makeDurable`), or it
    /// is something whose loss only means work done again (`batchOfMarks`).
    public func batchWithoutWaiting<T>(_ body: () throws -> T) throws -> T {
        if db.inTransaction { return try batch(body) }
        try db.execute("PRAGMA synchronous=NORMAL")
        let before = db.commits
        let result = Result { try batch(body) }
        commitsWithoutWaiting += db.commits - before
        // Every other commit must wait for the disk again: if even that
        // cannot be set (it touches no file), stop rather than go on
        // promising what may not be on disk; systemd starts the daemon again.
        do { try db.execute("PRAGMA synchronous=FULL") } catch {
            preconditionFailure("could not set the ledger back to synchronous=FULL: \(error)")
        }
        return try result.get()
    }

    /// Makes every commit so far durable, unless a commit that waited for
    /// the disk came after `mark` (the value of `durableCommits` right after
    /// the commits to be made durable): then they are already. Otherwise one
    /// fsync of the write-ahead log (of the database file when there is no
    /// log). Throws when the disk refuses: what was committed without
    /// waiting may then not be on disk, and nothing may act on it.
    public func makeDurable(after mark: Int) throws {
        guard durableCommits == mark else { return }
        var target = path + "-wal"
        var fd = open(target, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0, errno == ENOENT {
            target = path
            fd = open(target, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        }
        guard fd >= 0 else { throw SpoolError("open the ledger to make it durable", target) }
        defer { close(fd) }
        guard SyncTally.time({ fsync(fd) }) == 0 else { throw SpoolError("fsync the ledger", target) }
        logSyncs += 1
    }
}

extension Ledger {
    /// Read through the `submissions_pairing` index (a test holds it to that).
    static let acceptedSameDocument = """
        SELECT id FROM submissions WHERE unit = ? AND pairing = ? AND verdict = 'accepted' AND id != ?
        ORDER BY decided_at
        """

    /// Earlier accepted submissions of `unit` paired under the same document
    /// number and symbol, oldest first.
    public func acceptedSubmissions(unit: String, pairing: PairingKey, excluding: String) throws -> [String] {
        try db.query(Self.acceptedSameDocument, [.text(unit), .text(SubmissionPairing(pairing).description), .text(excluding)]
        ).compactMap { $0.first?.string }
    }
}
