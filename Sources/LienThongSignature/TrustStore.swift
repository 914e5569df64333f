import CLibSSL
import Foundation

/// Why a trust folder could not be used. The message names the path.
public struct TrustStoreError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "trust store: \(path): \(reason)" }
}

/// The configured trust: anchors (roots and intermediates), CRLs and timestamp
/// authority roots, read once from folders. Immutable after init, so one store
/// serves concurrent validations; a reload builds a new store.
public final class TrustStore: @unchecked Sendable {
    /// Roots and intermediates from the anchors folder. Only self-signed ones are
    /// trust anchors; intermediates help build paths (no partial chains).
    let anchors: [Certificate]
    let tsaRoots: [Certificate]
    let crls: [RevocationList]
    /// Files that were skipped, with why (shown by `lienthongctl verify`).
    public let warnings: [String]
    /// Certificates embedded in signatures, parsed once per encoding; nil: no
    /// caching (tests compare). Lives with this store, so a reload starts empty.
    let certificateCache: CertificateCache?
    /// Signers' paths to the anchors found trusted (ChainCache); nil with
    /// the certificate cache. Also lives and dies with this store.
    let chainCache: ChainCache?
    /// Timestamp authorities' paths to the TSA roots and anchors, likewise:
    /// another set of anchors, so a cache of its own.
    let tsaChainCache: ChainCache?

    public var anchorCount: Int { anchors.count }
    public var crlCount: Int { crls.count }
    public var tsaCount: Int { tsaRoots.count }

    /// anchors: folder of PEM (or DER) certificates; crlDirectory and
    /// tsaDirectory may be "" or missing. Unreadable folders throw.
    public convenience init(anchorsDirectory: String, crlDirectory: String, tsaDirectory: String) throws {
        try self.init(anchorsDirectory: anchorsDirectory, crlDirectory: crlDirectory, tsaDirectory: tsaDirectory, caching: true)
    }

    /// `caching: false` validates exactly as `true` does, only slower (the
    /// tests' reference): no certificate cache, no remembered paths, CRLs
    /// that recheck their signature every time.
    init(anchorsDirectory: String, crlDirectory: String, tsaDirectory: String, caching: Bool) throws {
        var warnings: [String] = []
        anchors = try Self.readFolder(anchorsDirectory, required: true, warnings: &warnings) { bytes, _ in
            Certificate.parseAll(bytes)
        }
        crls = try Self.readFolder(crlDirectory, required: false, warnings: &warnings) { bytes, name in
            RevocationList.parseAll(bytes, fileName: name, remembersSignatureChecks: caching)
        }
        tsaRoots = try Self.readFolder(tsaDirectory, required: false, warnings: &warnings) { bytes, _ in
            Certificate.parseAll(bytes)
        }
        self.warnings = warnings
        certificateCache = caching ? CertificateCache() : nil
        chainCache = caching ? ChainCache() : nil
        tsaChainCache = caching ? ChainCache() : nil
    }

    /// A store built from certificates in memory (tests, `verify --trust`).
    init(anchors: [Certificate], crls: [RevocationList] = [], tsaRoots: [Certificate] = [], caching: Bool = true) {
        self.anchors = anchors
        self.crls = crls
        self.tsaRoots = tsaRoots
        self.warnings = []
        certificateCache = caching ? CertificateCache() : nil
        chainCache = caching ? ChainCache() : nil
        tsaChainCache = caching ? ChainCache() : nil
    }

    /// Files directly in `path` (not recursive: `--trust DIR` keeps crls/ and
    /// tsa/ as subfolders), in name order, each parsed by `parse`.
    private static func readFolder<T>(
        _ path: String, required: Bool, warnings: inout [String], parse: ([UInt8], String) -> [T]
    ) throws -> [T] {
        if path.isEmpty {
            if required { throw TrustStoreError(path: "(empty)", reason: "no anchors folder configured") }
            return []
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if required { throw TrustStoreError(path: path, reason: "folder does not exist") }
            return []
        }
        guard isDirectory.boolValue else { throw TrustStoreError(path: path, reason: "not a folder") }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw TrustStoreError(path: path, reason: "cannot list folder (\(error.localizedDescription))")
        }
        var items: [T] = []
        for name in names where !name.hasPrefix(".") && name != "README.txt" {
            let full = (path as NSString).appendingPathComponent(name)
            var sub: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue else { continue }
            guard let data = fm.contents(atPath: full) else {
                throw TrustStoreError(path: full, reason: "cannot read file")
            }
            let parsed = parse([UInt8](data), name)
            if parsed.isEmpty { warnings.append("\(full): no certificate or CRL found, skipped") }
            items += parsed
        }
        return items
    }
}
