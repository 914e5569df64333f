import ArgumentParser
import Foundation
import LienThongConfig
import LienThongCore
import LienThongSignature

/// `lienthongctl verify [--config PATH | --trust DIR] [--at TIME] [--json] FILE...`:
/// the daemon's signature check, offline, on files an operator has in hand
/// (a document a clerk says was wrongly rejected, or one to check before sending).
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the signatures of PDFs and detached .p7s files as the gateway would.",
        discussion: """
            A PDF is checked for its embedded signatures. A file with a .p7s beside it \
            (X.docx + X.docx.p7s) is checked against that detached signature; naming \
            either file of the pair checks the pair once. Exit status: 0 when every file \
            is valid, 1 when any is not, 2 on usage or I/O errors.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Take the trust folders from this configuration.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "Trust folder: anchors directly in DIR with optional crls/ and tsa/ subfolders, or anchors/, crls/, tsa/ subfolders (as config/demo-trust).",
        valueName: "dir"))
    var trust: String?

    @Option(name: .long, help: ArgumentHelp("Judge as if the files arrived at this time (RFC 3339); default now.", valueName: "time"))
    var at: String?

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    @Argument(help: ArgumentHelp("Files to verify.", valueName: "file"))
    var files: [String] = []

    static let usageError = ExitCode(2)

    func run() throws {
        guard !files.isEmpty else { throw fail("no file given") }
        guard config == nil || trust == nil else { throw fail("give either --config or --trust, not both") }
        var arrival = Date()
        if let at {
            guard let parsed = Self.parseRFC3339(at) else { throw fail("--at \(at): not an RFC 3339 time (e.g. 2024-05-02T10:00:00+07:00)") }
            arrival = parsed
        }
        let validator = try makeValidator()
        var reports: [DocumentValidation] = []
        var ioErrors = false
        for target in Self.targets(files) {
            switch target {
            case .failure(let error):
                printVerifyError("lienthongctl verify: \(error.message)")
                ioErrors = true
            case .success(let job):
                reports.append(job.run(validator, arrival: arrival))
            }
        }
        if json {
            print(VerifyJSON.render(reports))
        } else {
            for report in reports { print(VerifyText.render(report)) }
        }
        if ioErrors { throw Self.usageError }
        if !reports.allSatisfy(\.isValid) { throw ExitCode.failure }
    }

    private func fail(_ message: String) -> ExitCode {
        printVerifyError("lienthongctl verify: \(message)")
        return Self.usageError
    }

    private func makeValidator() throws -> SignatureValidator {
        let folders: (anchors: String, crls: String, tsa: String, skew: Double)
        if let trust {
            let nested = Self.isDirectory(trust + "/anchors")
            let base = nested ? trust + "/anchors" : trust
            folders = (base, trust + "/crls", trust + "/tsa", 300)
        } else {
            let path = config ?? ConfigLoader.defaultPath
            do throws(ConfigError) {
                let loaded = try ConfigLoader.load(path: path)
                folders = (loaded.trust.anchors, loaded.trust.crls, loaded.trust.tsa, loaded.trust.maxClockSkew)
            } catch {
                for problem in error.problems { printVerifyError(problem.description) }
                throw Self.usageError
            }
        }
        do {
            let store = try TrustStore(anchorsDirectory: folders.anchors, crlDirectory: folders.crls, tsaDirectory: folders.tsa)
            for warning in store.warnings { printVerifyError("warning: \(warning)") }
            if store.anchorCount == 0 { printVerifyError("warning: no trust anchors in \(folders.anchors): every signature will be untrusted") }
            return SignatureValidator(trust: store, maxClockSkew: folders.skew)
        } catch {
            throw fail("\(error)")
        }
    }

    /// One thing to verify: a PDF, or a file with its detached signature.
    struct Job {
        var path: String
        var signaturePath: String?

        func run(_ validator: SignatureValidator, arrival: Date) -> DocumentValidation {
            let name = (path as NSString).lastPathComponent
            // Both readable: checked when the job was made.
            let data = Verify.read(path) ?? []
            if let signaturePath {
                return validator.validateDetached(content: data, signature: Verify.read(signaturePath) ?? [], name: name, arrival: arrival)
            }
            if SignatureValidator.looksLikePDF(data) {
                return validator.validatePDF(data, name: name, arrival: arrival)
            }
            return DocumentValidation(file: name, problems: [.signatureMissing],
                                      notes: ["not a PDF and no \(name).p7s beside it: nothing signs this file"])
        }
    }

    /// Files to jobs: pairs each `X.p7s` with `X` and each `X` with `X.p7s`, once.
    static func targets(_ files: [String]) -> [Result<Job, VerifyError>] {
        var seen = Set<String>()
        var jobs: [Result<Job, VerifyError>] = []
        for file in files {
            var content = file, signature: String?
            if file.lowercased().hasSuffix(".p7s") {
                content = String(file.dropLast(4))
                signature = file
                guard isReadableFile(content) else {
                    jobs.append(.failure(VerifyError("\(file): the signed file \(content) is not there or not readable")))
                    continue
                }
            } else if isReadableFile(file + ".p7s") {
                signature = file + ".p7s"
            }
            let key = (content as NSString).standardizingPath
            guard !seen.contains(key) else { continue }
            seen.insert(key)
            guard isReadableFile(content) else {
                jobs.append(.failure(VerifyError("\(content): not there or not a readable file")))
                continue
            }
            if let signature, !isReadableFile(signature) {
                jobs.append(.failure(VerifyError("\(signature): not readable")))
                continue
            }
            jobs.append(.success(Job(path: content, signaturePath: signature)))
        }
        return jobs
    }

    struct VerifyError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    static func isReadableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: path)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func parseRFC3339(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text) ?? withFraction.date(from: text)
    }
}

func printVerifyError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Text output: one verdict line per file, then each signature's details.
enum VerifyText {
    static func render(_ report: DocumentValidation) -> String {
        var lines: [String] = []
        let reasons = report.reasons.map(\.rawValue).joined(separator: ", ")
        // Lacking only revocation data is not a verdict on the document (SPEC §5).
        let lacking = report.waitingForRevocation
        let verdict = report.isValid ? "VALID" : (lacking.isEmpty ? "INVALID" : "UNDECIDED")
        lines.append("\(report.file): \(verdict)" + (reasons.isEmpty ? "" : " (\(reasons))"))
        for line in lacking { lines.append("  \(line)") }
        for note in report.notes { lines.append("  note: \(note)") }
        for (i, s) in report.signatures.enumerated() {
            let who = s.signer.isEmpty ? "(unknown signer)" : s.signer
            let org = s.organization.isEmpty ? "" : " — \(s.organization)"
            let problems = s.problems.map(\.rawValue).joined(separator: ", ")
            lines.append("  signature \(i + 1): \(who)\(org): \(s.valid ? "valid" : "invalid")" + (problems.isEmpty ? "" : " (\(problems))"))
            if let t = s.signingTime { lines.append("    signed at \(VerifyJSON.rfc3339(t)) (\(s.timeSource.rawValue))") }
            if !s.subject.isEmpty { lines.append("    subject:  \(s.subject)") }
            for (depth, subject) in s.chain.enumerated() where depth > 0 { lines.append("    issuer \(depth): \(subject)") }
            if !s.crlsUsed.isEmpty { lines.append("    CRLs:     \(s.crlsUsed.joined(separator: ", "))") }
            for note in s.notes { lines.append("    note: \(note)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// `--json`: {"files": [{"file", "valid", "reasons", "signatures": [...], "notes"}]}.
enum VerifyJSON {
    struct Output: Encodable {
        var files: [File]
    }

    struct File: Encodable {
        var file: String
        var valid: Bool
        var reasons: [String]
        var signatures: [Signature]
        var notes: [String]
    }

    struct Signature: Encodable {
        var signer: String
        var organization: String
        var subject: String
        var signingTime: String?
        var timeSource: String
        var valid: Bool
        var problems: [String]
        var chain: [String]
        var crlsUsed: [String]
        var notes: [String]

        enum CodingKeys: String, CodingKey {
            case signer, organization, subject, valid, problems, chain, notes
            case signingTime = "signing_time", timeSource = "time_source", crlsUsed = "crls_used"
        }
    }

    static func render(_ reports: [DocumentValidation]) -> String {
        let output = Output(files: reports.map { r in
            File(file: r.file, valid: r.isValid, reasons: r.reasons.map(\.rawValue),
                 signatures: r.signatures.map { s in
                     Signature(signer: s.signer, organization: s.organization, subject: s.subject,
                               signingTime: s.signingTime.map(rfc3339), timeSource: s.timeSource.rawValue, valid: s.valid,
                               problems: s.problems.map(\.rawValue), chain: s.chain, crlsUsed: s.crlsUsed, notes: s.notes)
                 },
                 notes: r.notes)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(output) else { return "{\"files\": []}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
