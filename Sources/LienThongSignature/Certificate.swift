import CLibSSL
import Foundation

/// One X.509 certificate, owned (freed on deinit). Immutable, and OpenSSL's
/// X509 is safe to read from several threads, hence @unchecked Sendable.
final class Certificate: @unchecked Sendable {
    let x509: OpaquePointer

    /// Takes ownership of `x509` (one reference).
    init(owning x509: OpaquePointer) {
        self.x509 = x509
    }

    /// Adds a reference to a certificate owned elsewhere (a CMS, a stack).
    init(retaining x509: OpaquePointer) {
        X509_up_ref(x509)
        self.x509 = x509
    }

    deinit { X509_free(x509) }

    /// Every certificate in `bytes`: one DER certificate, or any number of PEM
    /// blocks (other PEM blocks are skipped).
    static func parseAll(_ bytes: [UInt8]) -> [Certificate] {
        if PEM.looksLikePEM(bytes) {
            return PEM.blocks(bytes).compactMap { block in
                ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"].contains(block.label)
                    ? fromDER(block.der) : nil
            }
        }
        return fromDER(bytes).map { [$0] } ?? []
    }

    /// `exact`: nil unless the certificate uses every byte (one element of
    /// a CMS certificates field, which the CMS parse would refuse otherwise).
    static func fromDER(_ der: [UInt8], exact: Bool = false) -> Certificate? {
        der.withUnsafeBufferPointer { buffer -> Certificate? in
            guard let base = buffer.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            guard let x = d2i_X509(nil, &p, buffer.count) else {
                _ = OpenSSL.drainErrors()
                return nil
            }
            let certificate = Certificate(owning: x)
            return !exact || p == base + buffer.count ? certificate : nil
        }
    }

    var subject: DistinguishedName { DistinguishedName(X509_get_subject_name(x509)) }

    /// Key usage bits, nil when the extension is absent.
    var keyUsage: UInt32? {
        let flags = X509_get_extension_flags(x509)
        guard flags & UInt32(EXFLAG_KUSAGE) != 0 else { return nil }
        return X509_get_key_usage(x509)
    }

    /// The SubjectPublicKeyInfo as DER (algorithm, parameters, key): what
    /// checking a signature with this certificate's key depends on. Empty when unreadable.
    var publicKeyInfo: [UInt8] {
        guard let info = X509_get_X509_PUBKEY(x509) else { return [] }
        return OpenSSL.der(info) { i2d_X509_PUBKEY($0, $1) }
    }

    /// Serial number as upper-case hex, for notes.
    var serialHex: String {
        guard let serial = X509_get0_serialNumber(x509), let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "?" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "?" }
        defer { lt_openssl_free(hex) }
        return String(cString: hex)
    }
}

/// An X.509 name read into its attributes, in certificate order.
struct DistinguishedName: Sendable, Equatable {
    var attributes: [(type: String, value: String)]

    init(_ name: OpaquePointer?) {
        attributes = []
        guard let name else { return }
        let count = X509_NAME_entry_count(name)
        for i in 0..<max(0, count) {
            guard let entry = X509_NAME_get_entry(name, i) else { continue }
            let nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))
            let type = nid == NID_undef ? OpenSSL.name(of: X509_NAME_ENTRY_get_object(entry)) : String(cString: OBJ_nid2sn(nid))
            attributes.append((type, OpenSSL.utf8(UnsafePointer(X509_NAME_ENTRY_get_data(entry)))))
        }
    }

    static func == (a: DistinguishedName, b: DistinguishedName) -> Bool {
        a.attributes.elementsEqual(b.attributes) { $0.type == $1.type && $0.value == $1.value }
    }

    func first(_ type: String) -> String? { attributes.first { $0.type == type }?.value }

    var commonName: String { first("CN") ?? "" }
    /// O, else OU (SPEC §6 "organization").
    var organization: String { first("O") ?? first("OU") ?? "" }

    /// Most specific first, "CN=…, O=…, C=VN", one line (control characters dropped).
    /// Control characters are the bytes below 0x20 and 0x7F in UTF-8 (no
    /// other scalar's encoding holds them): a value without any, nearly all
    /// of them, is taken as it is. Filtering every value's scalars was 4 % of
    /// the daemon's instructions (make profile: every signature names its
    /// signer and chain).
    var oneLine: String {
        let shown = { (byte: UInt8) in byte >= 0x20 && byte != 0x7F }
        var line = ""
        for (type, value) in attributes.reversed() {
            if !line.isEmpty { line += ", " }
            line += type
            line += "="
            line += value.utf8.allSatisfy(shown) ? value : String(decoding: value.utf8.filter(shown), as: UTF8.self)
        }
        return line
    }
}
