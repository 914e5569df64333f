import Foundation

/// Which document types the province issues and receives electronically only
/// (SPEC §1, §8 `[rule] electronic_only`, `electronic_only_subjects`): provincial
/// policy, so configuration, not code. A type in `types` is electronic-only
/// whatever its subject; a type in `subjects` (công văn, quyết định) only when
/// its subject contains one of the phrases.
public struct ElectronicOnlyList: Sendable, Equatable {
    /// Type codes as `DocumentType.code` spells them (`GM`, `CTr`, `CĐ`).
    public var types: Set<String>
    /// Type code → phrases, in NFC lower case (see `init`).
    public var subjects: [String: [String]]

    /// Phrases are kept in NFC lower case, as subjects are compared.
    public init(types: Set<String>, subjects: [String: [String]]) {
        self.types = types
        self.subjects = subjects.mapValues { $0.map(Self.folded) }
    }

    /// The list of Công văn 4116/UBND-CN (SPEC §1), the default when the
    /// config names none.
    public static let congVan4116 = ElectronicOnlyList(
        types: ["GM", "BC", "TB", "KH", "CTr", "CĐ", "CT", "SY", "SL", "TS"],
        subjects: [
            "CV": ["mời họp", "mời dự", "giao việc", "giao nhiệm vụ"],
            "QĐ": ["thành lập ban chỉ đạo", "thành lập tổ giúp việc"],
        ])

    public func covers(_ type: DocumentType, subject: String?) -> Bool {
        if types.contains(type.code) { return true }
        guard let phrases = subjects[type.code], let subject else { return false }
        let s = Self.folded(subject)
        return phrases.contains { s.contains($0) }
    }

    static func folded(_ text: String) -> String {
        text.nfc.lowercased()
    }
}
