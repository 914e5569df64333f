import CSQLite
import Foundation

/// A thin, honest wrapper over SQLite's C API: one connection, prepared
/// statements, errors that carry SQLite's own message and the statement.
public final class SQLiteDatabase {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public let sql: String
        public var description: String { "SQLite: \(message) (in: \(sql.prefix(120)))" }
    }

    let handle: OpaquePointer
    public let path: String
    /// Statements kept prepared, by their SQL: the ledger runs the same few
    /// dozen statements for every submission, and parsing them again each
    /// time was a large share of the daemon's CPU (perf: sqlite3Parser near
    /// the top). Bounded: SQL built with a variable shape cannot grow it
    /// without end.
    private var cached: [String: Statement] = [:]
    static let cacheLimit = 128

    public init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw Failure(message: "\(msg): \(path)", sql: "open")
        }
        handle = db
        self.path = path
        // Wait instead of failing while lienthongctl holds a read lock.
        sqlite3_busy_timeout(handle, 5000)
    }

    deinit {
        cached.removeAll()  // finalize every kept statement before closing
        sqlite3_close_v2(handle)
    }

    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &err) != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "error"
            sqlite3_free(err)
            throw Failure(message: msg, sql: sql)
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw Failure(message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
        return Statement(db: self, stmt: stmt, sql: sql)
    }

    /// Runs a statement with arguments and returns every row. The statement
    /// is prepared once and kept; it is reset after use, so it holds no read
    /// transaction open between calls.
    @discardableResult
    public func query(_ sql: String, _ args: [SQLValue] = []) throws -> [[SQLValue]] {
        let s = try statement(sql)
        defer { sqlite3_reset(s.stmt) }
        try s.bind(args)
        var rows: [[SQLValue]] = []
        while let row = try s.step() { rows.append(row) }
        return rows
    }

    private func statement(_ sql: String) throws -> Statement {
        if let kept = cached[sql] { return kept }
        let fresh = try prepare(sql)
        if cached.count >= Self.cacheLimit { cached.removeAll() }
        cached[sql] = fresh
        return fresh
    }

    /// BEGIN IMMEDIATE … COMMIT, rolled back when `body` throws. Inside an
    /// open transaction it is a savepoint instead: a failing inner step is
    /// undone alone, and everything commits (one fsync) with the outer one.
    ///
    /// The four statements of every step run prepared and kept (`query`):
    /// sqlite3_exec parsed them again each time, and every claim, decision
    /// and placement is a savepoint (make profile).
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if inTransaction {
            try query("SAVEPOINT step")
            do {
                let result = try body()
                try query("RELEASE step")
                return result
            } catch {
                try? execute("ROLLBACK TO step")
                try? execute("RELEASE step")
                throw error
            }
        }
        try query("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try query("COMMIT")
            commits += 1
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// A transaction is open (a `transaction` inside makes a savepoint).
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Outermost transactions committed by `transaction`.
    public private(set) var commits = 0

    public final class Statement {
        let db: SQLiteDatabase
        let stmt: OpaquePointer
        let sql: String
        init(db: SQLiteDatabase, stmt: OpaquePointer, sql: String) {
            self.db = db
            self.stmt = stmt
            self.sql = sql
        }
        deinit { sqlite3_finalize(stmt) }

        public func bind(_ args: [SQLValue]) throws {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            for (i, v) in args.enumerated() {
                let idx = Int32(i + 1)
                let rc: Int32
                switch v {
                case .null: rc = sqlite3_bind_null(stmt, idx)
                case .int(let n): rc = sqlite3_bind_int64(stmt, idx, n)
                case .double(let d): rc = sqlite3_bind_double(stmt, idx, d)
                // withCString hands over the string's own bytes; passing the
                // String itself made a NUL-terminated copy first. SQLite copies
                // them either way (transient), up to the first NUL as before.
                case .text(let s): rc = s.withCString { sqlite3_bind_text(stmt, idx, $0, -1, lt_sqlite_transient()) }
                }
                guard rc == SQLITE_OK else { throw Failure(message: String(cString: sqlite3_errmsg(db.handle)), sql: sql) }
            }
        }

        public func step() throws -> [SQLValue]? {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return nil }
            guard rc == SQLITE_ROW else { throw Failure(message: String(cString: sqlite3_errmsg(db.handle)), sql: sql) }
            var row: [SQLValue] = []
            for i in 0..<sqlite3_column_count(stmt) {
                switch sqlite3_column_type(stmt, i) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(stmt, i)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(stmt, i)))
                case SQLITE_NULL: row.append(.null)
                default: row.append(.text(String(cString: sqlite3_column_text(stmt, i))))
                }
            }
            return row
        }
    }
}

public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    public var string: String? { if case .text(let s) = self { return s }; return nil }
    public var int: Int64? {
        switch self {
        case .int(let n): return n
        case .double(let d): return Int64(d)
        default: return nil
        }
    }
    public var double: Double? {
        switch self {
        case .double(let d): return d
        case .int(let n): return Double(n)
        default: return nil
        }
    }
}
