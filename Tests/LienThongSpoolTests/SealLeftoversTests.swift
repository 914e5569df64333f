import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// A crash while sealing leaves `.<name>.<pid>.tmp` beside a claimed file;
/// recovery removes exactly those, never a sender's file.
struct SealLeftoversTests {
    @Test func onlyCopiesOfListedFilesFromAnotherProcessGo() throws {
        try Scratch.withDir("seal-leftovers") { root in
            let files = root + "/files"
            let mine = ".a.pdf.\(getpid()).tmp"
            for name in ["a.pdf", ".a.pdf.99999.tmp", ".b.pdf.123.tmp", mine, ".c.pdf.5.tmp", "c.pdf", "sub/d.pdf", "sub/.d.pdf.42.tmp"] {
                try Scratch.write(files + "/" + name, Array("x".utf8))
            }
            // c.pdf's look-alike was itself claimed from the sender: listed, kept.
            let removed = SealLeftovers.clean(files: files, claimed: ["a.pdf", "c.pdf", ".c.pdf.5.tmp", "sub/d.pdf"])
            #expect(Set(removed) == [files + "/.a.pdf.99999.tmp", files + "/sub/.d.pdf.42.tmp"])
            #expect(Set(Scratch.list(files)) == ["a.pdf", ".b.pdf.123.tmp", mine, ".c.pdf.5.tmp", "c.pdf", "sub"])
        }
    }
}
