/// Config values written back the way the file writes them, for summaries and
/// log lines ("settle 2s", "max file size 200MiB") that operators compare with
/// what they typed.
public enum ConfigFormat {
    /// "2s", "1h30m", "500ms".
    public static func duration(_ seconds: Double) -> String { Durations.format(seconds) }
    /// "200MiB", "1536B".
    public static func size(_ bytes: Int64) -> String { ByteSizes.format(bytes) }
}
