import Foundation

/// An honest large signed PDF built by the test: scanned pages as big
/// JPEG-like image streams (never inflated by the validator), page and
/// annotation dictionaries in FlateDecode object streams, signed twice with
/// the test PKI's valid signer (`openssl cms`), the second signature an
/// incremental update, so the validator indexes the whole file.
struct LargeSignedPDF {
    /// Contents placeholder: 16 KiB of DER, twice what the CMS needs.
    static let contentsHexLength = 32768

    let fixtures: Fixtures

    func build(imageMiB: Int, objectStreams: Int) throws -> [UInt8] {
        var out = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        func add(_ number: Int, _ body: [UInt8]) { out += Array("\(number) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8) }

        let pages = max(1, imageMiB)
        let firstPage = 10, firstImage = firstPage + pages
        add(1, Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        add(2, Array("<< /Type /Pages /Count \(pages) /Kids [\((0..<pages).map { "\(firstPage + $0) 0 R" }.joined(separator: " "))] >>".utf8))
        // One MiB of random bytes per page: image data looks like noise, and
        // noise holds "obj", "<<" and "stream" by chance, as real scans do.
        let noise = try randomBytes(1 << 20)
        for page in 0..<pages {
            add(firstPage + page, Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 \(firstImage + page) 0 R >> >> >>".utf8))
            var image = Array("<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode /Length \(noise.count) >>\nstream\n".utf8)
            image += noise
            image[image.count - 1] = UInt8(truncatingIfNeeded: page)
            image += Array("\nendstream".utf8)
            add(firstImage + page, image)
        }
        // Annotation dictionaries packed 200 to an object stream, as PDF 1.5 writers do.
        var number = firstImage + pages
        for _ in 0..<objectStreams {
            var header = "", body = ""
            for k in 0..<200 {
                header += "\(number + 1 + k) \(body.utf8.count) "
                body += "<< /Type /Annot /Subtype /Link /Rect [\(k) 0 \(k + 10) 10] /Border [0 0 0] /A << /S /URI /URI (https://example.invalid/\(k)) >> >>\n"
            }
            let data = BombPDF.deflate(Array((header + body).utf8))
            add(number, Array("<< /Type /ObjStm /N 200 /First \(header.utf8.count) /Filter /FlateDecode /Length \(data.count) >>\nstream\n".utf8) + data + Array("\nendstream".utf8))
            number += 201
        }
        out += Array("trailer\n<< /Size \(number) /Root 1 0 R >>\n%%EOF\n".utf8)
        try sign(&out, number: number, fields: [number + 1])
        try sign(&out, number: number + 2, fields: [number + 1, number + 3])
        return out
    }

    /// Appends a revision with a new signature dictionary, the signature
    /// field holding it (the last of `fields`) and the catalog naming every
    /// field, and signs it.
    private func sign(_ out: inout [UInt8], number: Int, fields: [Int]) throws {
        let placeholder = "[0 0000000000 0000000000 0000000000]"
        let refs = fields.map { "\($0) 0 R" }.joined(separator: " ")
        out += Array("1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [\(refs)] /SigFlags 3 >> >>\nendobj\n".utf8)
        out += Array("\(fields.last!) 0 obj\n<< /FT /Sig /T (Signature\(fields.count)) /V \(number) 0 R >>\nendobj\n".utf8)
        out += Array("\(number) 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ".utf8)
        let rangeAt = out.count
        out += Array("\(placeholder) /Contents ".utf8)
        let gapStart = out.count
        out += Array("<\(String(repeating: "0", count: Self.contentsHexLength))>".utf8)
        let gapEnd = out.count
        out += Array(" >>\nendobj\ntrailer\n<< /Size \(fields.last! + 1) /Root 1 0 R >>\n%%EOF\n".utf8)
        let range = String(format: "[0 %010d %010d %010d]", gapStart, gapEnd, out.count - gapEnd)
        out.replaceSubrange(rangeAt..<(rangeAt + placeholder.utf8.count), with: Array(range.utf8))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-large-\(getpid())-\(number)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let covered = folder.appendingPathComponent("covered").path, der = folder.appendingPathComponent("sig.der").path
        guard FileManager.default.createFile(atPath: covered, contents: nil) else {
            throw Fixtures.FixtureError(description: "cannot create \(covered)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: covered))
        try handle.write(contentsOf: Data(out[0..<gapStart]))
        try handle.write(contentsOf: Data(out[gapEnd...]))
        try handle.close()
        let p = fixtures.root + "/private/"
        try run("/usr/bin/openssl", ["cms", "-sign", "-binary", "-md", "sha256", "-nosmimecap", "-outform", "DER",
                                     "-in", covered, "-out", der, "-signer", p + "valid-signer.pem",
                                     "-inkey", p + "valid-signer.key.pem", "-certfile", p + "valid-chain.pem"])
        let signature = [UInt8](try Data(contentsOf: URL(fileURLWithPath: der)))
        let hex = Array(signature.map { String(format: "%02X", $0) }.joined().utf8)
        precondition(hex.count <= Self.contentsHexLength, "the CMS outgrew its placeholder")
        out.replaceSubrange((gapStart + 1)..<(gapStart + 1 + hex.count), with: hex)
    }

    private func randomBytes(_ count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Fixtures.FixtureError(description: "\(tool) \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }
}
