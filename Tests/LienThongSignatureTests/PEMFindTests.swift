import Foundation
import Testing
@testable import LienThongSignature

/// The byte search under PEM detection and block splitting.
@Suite("PEM: byte search")
struct PEMFindTests {
    let needle = Array("-----BEGIN ".utf8)

    @Test func findsWhereItIsAndNowhereElse() {
        let text = Array("xx-----BEGIN CERT".utf8)
        #expect(PEM.find(needle, in: text, from: 0) == 2)
        #expect(PEM.find(needle, in: text, from: 2) == 2)
        #expect(PEM.find(needle, in: text, from: 3) == nil)
        #expect(PEM.find(needle, in: Array("-----BEGIN ".utf8), from: 0) == 0)
        // Cut short at the end, or by the limit.
        #expect(PEM.find(needle, in: Array("abc-----BEGIN".utf8), from: 0) == nil)
        #expect(PEM.find(needle, in: text, from: 0, limit: 12) == nil)
        #expect(PEM.find(needle, in: text, from: 0, limit: 13) == 2)
        // The first byte repeated before the match (dashes of a longer run).
        #expect(PEM.find(needle, in: Array("--------BEGIN x".utf8), from: 0) == 3)
        #expect(PEM.find(needle, in: [], from: 0) == nil)
        #expect(PEM.find([], in: text, from: 0) == nil)
        #expect(PEM.find(needle, in: text, from: 100) == nil)
    }

    @Test func armouredAndBinaryAreToldApart() {
        let der: [UInt8] = [0x30, 0x82, 0x01, 0x00] + Array(repeating: 0x2D, count: 4) + Array(repeating: 0, count: 5000)
        #expect(!PEM.looksLikePEM(der))
        // A marker beyond the first 4 KiB does not make a file PEM.
        #expect(!PEM.looksLikePEM(Array(repeating: 0x41, count: 5000) + needle))
        let pem = Array("-----BEGIN X-----\nAAEC\n-----END X-----\n-----BEGIN Y-----\nAw==\n-----END Y-----\n".utf8)
        #expect(PEM.looksLikePEM(pem))
        let blocks = PEM.blocks(pem)
        #expect(blocks.map(\.label) == ["X", "Y"])
        #expect(blocks.map(\.der) == [[0, 1, 2], [3]])
    }
}
