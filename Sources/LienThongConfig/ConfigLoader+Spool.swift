extension ConfigLoader {
    /// `[gateway] spool` alone, from a file that may be wrong elsewhere.
    /// `lienthongctl reload` needs the spool to reach the daemon's control
    /// socket even when the new file has errors: the daemon must still be
    /// asked, so that it refuses the file itself and says why in its journal.
    /// nil when the file cannot be read or names no spool.
    public static func spoolOnly(path: String) -> String? {
        guard let cwd = Paths.currentDirectory() else { return nil }
        let absolutePath = Paths.absolute(path, base: cwd)
        guard case .success(let text) = TextFile.text(at: absolutePath) else { return nil }
        let document = TOMLParser.parse(text).document
        guard let entry = document.section("gateway")?.table["spool"], case .string(let spool) = entry.value.value,
              !spool.isEmpty
        else { return nil }
        return Paths.absolute(spool, base: Paths.directory(of: absolutePath))
    }
}
