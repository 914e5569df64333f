import Foundation
import LienThongCore
@testable import LienThongConfig

/// `units.csv` as the daemon reads it (bytes → text → registry): either a
/// registry whose ids are usable folder names, unique, with parents and
/// successors that exist, or problems that each name a line of the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    guard case .success(let text) = TextFile.decode(input) else { return 0 }
    let lines = text.unicodeScalars.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }  // scalars: "\r\n" is one Character
    switch UnitsCSV.parse(text, file: "units.csv") {
    case .failure(let error):
        require(!error.problems.isEmpty, "a failure without problems")
        for p in error.problems {
            require(p.file == "units.csv" && !p.message.isEmpty, "problem without a message: \(p)")
            if let line = p.line { require((1...max(1, lines)).contains(line), "line \(line) of \(lines): \(p)") }
        }
    case .success(let registry):
        require(!registry.units.isEmpty, "an empty registry accepted")
        require(Set(registry.ids).count == registry.units.count, "repeated ids")
        require(registry.units.count < lines, "\(registry.units.count) units from \(lines) lines")
        for unit in registry.units {
            require(Unit.isValidID(unit.id), "id \(unit.id.debugDescription) is not a folder name")
            require(unit.parent.isEmpty || registry[unit.parent] != nil, "parent \(unit.parent) missing")
            require(unit.successor.isEmpty || registry[unit.successor] != nil, "successor \(unit.successor) missing")
            if let from = unit.activeFrom, let to = unit.activeTo { require(!(to < from), "\(unit.id) ends before it starts") }
            if let end = unit.activeTo, let successor = registry.activeSuccessor(of: unit, on: end.next) {
                require(successor.isActive(on: end.next) && successor.id != unit.id, "successor of \(unit.id) not active")
            }
        }
    }
    return 0
}
