#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open descriptors. systemd starts a service with
/// a soft limit of 1,024 (kept low for programs that still use select(2))
/// and a hard limit of 524,288 for programs that raise their own; the daemon
/// polls, never selects, and keeps spool folders open (TrustedFolderCache),
/// so it raises its soft limit at start.
public enum DescriptorLimit {
    /// RLIMIT_NOFILE, which Glibc imports as an enum case.
    static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    /// RLIM_INFINITY (all ones; Swift cannot import the C macro's -1).
    static let unlimited = rlim_t.max

    /// The soft limit now.
    public static var soft: Int {
        var r = rlimit()
        guard getrlimit(Self.resource, &r) == 0 else { return 1024 }
        return r.rlim_cur == Self.unlimited ? Int.max : Int(clamping: r.rlim_cur)
    }

    /// Raises the soft limit to `wanted`, or to the hard limit if that is
    /// lower; never lowers it. Returns the soft limit it leaves.
    @discardableResult
    public static func raise(to wanted: Int = 65_536) -> Int {
        var r = rlimit()
        guard getrlimit(Self.resource, &r) == 0 else { return soft }
        let target = rlim_t(wanted) < r.rlim_max ? rlim_t(wanted) : r.rlim_max
        if r.rlim_cur != Self.unlimited, r.rlim_cur < target {
            r.rlim_cur = target
            _ = setrlimit(Self.resource, &r)
        }
        return soft
    }
}
