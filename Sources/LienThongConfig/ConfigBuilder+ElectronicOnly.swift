import LienThongCore

/// `[rule] electronic_only` and `[rule] electronic_only_subjects` (SPEC §8):
/// which types are issued and received electronically only. Each key left out
/// keeps Công văn 4116's list; a type code the gateway does not know is refused
/// (it would never match a symbol, so the operator's intent would be lost).
extension ConfigBuilder {
    mutating func readElectronicOnly(into list: inout ElectronicOnlyList) {
        if let e = entry("rule", "electronic_only") {
            guard case .array(let items) = e.value.value else {
                typeMismatch(e, table: "rule", expected: "an array of type codes, e.g. [\"GM\", \"BC\", \"TB\"]")
                return
            }
            var codes: Set<String> = []
            for item in items {
                if let code = typeCode(item, key: "[rule] electronic_only") { codes.insert(code) }
            }
            list.types = codes
        }
        if let e = entry("rule", "electronic_only_subjects") {
            guard case .table(let table) = e.value.value else {
                typeMismatch(e, table: "rule", expected: "an inline table of type code → phrases, e.g. { CV = [\"mời họp\", \"giao việc\"] }")
                return
            }
            var subjects: [String: [String]] = [:]
            for item in table.entries {
                let key = "[rule] electronic_only_subjects.\(item.key)"
                guard let code = typeCode(TOMLNode(value: .string(item.key), line: item.line), key: key) else { continue }
                if let phrases = subjectPhrases(item.value, key: key) { subjects[code] = phrases }
            }
            list = ElectronicOnlyList(types: list.types, subjects: subjects)
        }
    }

    /// The canonical code (`CTr`, `CĐ`) of a written one, or nil after a problem.
    private mutating func typeCode(_ node: TOMLNode, key: String) -> String? {
        guard case .string(let written) = node.value else {
            problems.add(file, node.line, key, "expected a type code in quotes, e.g. \"GM\", found \(node.value.kindName)")
            return nil
        }
        if let type = DocumentType.from(code: written) { return type.code }
        let codes = DocumentType.allCodes
        problems.add(file, node.line, key, "\"\(written)\" is not a document type code (\(Suggestions.hint(for: written, among: codes))); use the codes of Nghị định 30/2020/NĐ-CP, Phụ lục III: \(codes.joined(separator: ", "))")
        return nil
    }

    private mutating func subjectPhrases(_ node: TOMLNode, key: String) -> [String]? {
        guard case .array(let items) = node.value else {
            problems.add(file, node.line, key, "expected an array of phrases in quotes, e.g. [\"mời họp\"], found \(node.value.kindName)")
            return nil
        }
        var phrases: [String] = []
        for item in items {
            guard case .string(let phrase) = item.value, !phrase.allSatisfy(\.isWhitespace) else {
                problems.add(file, item.line, key, "expected a non-empty phrase in quotes, e.g. \"mời họp\"; an empty one would match every subject")
                continue
            }
            phrases.append(phrase)
        }
        return phrases
    }
}
