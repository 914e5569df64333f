import Foundation
import Testing

/// install.sh generates lienthongctl's shell completions from the built
/// binary itself, so they always match its subcommands and options.
@Suite("install.sh completions")
struct InstallCompletionsTests {
    @Test(.enabled(if: Prerequisites.binaries != nil, "lienthongctl is not built (swift build)"))
    func completionsForBashZshAndFishComeFromTheBinary() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-completions-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try run([Repository.installScript, "--destdir", root, "--binaries", Prerequisites.binaries!, "--no-config"])
        try #require(result.succeeded, "\(result)")
        let share = root + "/usr/local/share"
        for path in ["/bash-completion/completions/lienthongctl", "/zsh/site-functions/_lienthongctl", "/fish/vendor_completions.d/lienthongctl.fish"] {
            let text = try String(contentsOfFile: share + path, encoding: .utf8)
            for word in ["hold", "release", "retry", "queue", "report", "check-config"] {
                #expect(text.contains(word), "\(path) does not complete \(word)")
            }
        }
        let bash = try run(["/bin/bash", "-c", "source \(share)/bash-completion/completions/lienthongctl && complete -p lienthongctl"])
        #expect(bash.succeeded && bash.output.contains("lienthongctl"), "\(bash)")
    }
}
