import Foundation
@testable import LienThongSignature

/// The object/stream layer alone, under a small budget so its bounds are
/// reached often: the object index (with object streams inflated), the
/// signature scanner and ByteRange check, and the FlateDecode inflater. Every
/// bound of the budget must hold, and everything found must lie in the file.
enum PDFObjectsProperty {
    static let limits: ValidationLimits = {
        var l = ValidationLimits()
        l.maxInflatedBytes = 1 << 20
        l.maxStreamsDecoded = 64
        l.maxObjectsParsed = 50_000
        l.maxSeconds = 5
        return l
    }()

    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        objectIndex(input, p)
        signatures(input, p)
        decoders(input, p)
    }

    private static func objectIndex(_ input: [UInt8], _ p: PropertyCheck) {
        let budget = ValidationBudget(limits: limits)
        let index = PDFObjectIndex(input, budget: budget)
        // The inflater reports one byte past its allowance to say "over"; nothing more.
        p.require(budget.inflatedBytes <= limits.maxInflatedBytes + 1, "inflated \(budget.inflatedBytes) bytes")
        p.require(budget.streamsDecoded <= limits.maxStreamsDecoded + 1, "decoded \(budget.streamsDecoded) streams")
        p.require(budget.objectsParsed <= limits.maxObjectsParsed, "parsed \(budget.objectsParsed) objects")
        p.require(index.objects.count <= budget.objectsParsed, "\(index.objects.count) objects from \(budget.objectsParsed) parses")
        for object in index.objects {
            p.require((0..<input.count).contains(object.offset), "object \(object.number) at \(object.offset) of \(input.count)")
            if let stream = object.stream {
                p.require(stream.lowerBound >= 0 && stream.upperBound <= input.count, "stream \(stream) of \(input.count)")
            }
        }
        p.require(zip(index.trailers, index.trailers.dropFirst()).allSatisfy { $0.offset <= $1.offset }, "trailers out of order")
    }

    private static func signatures(_ input: [UInt8], _ p: PropertyCheck) {
        let scan = PDFSignatureScanner.scanBounded(input, budget: ValidationBudget(limits: limits))
        p.require(scan.signatures.count <= PDFSignatureScanner.maxOccurrences, "\(scan.signatures.count) signatures")
        for signature in scan.signatures {
            let span = signature.dictionary.span
            p.require(span.lowerBound >= 0 && span.upperBound <= input.count, "dictionary span \(span) of \(input.count)")
            if case .ok(let layout) = ByteRangeCheck.check(signature, fileLength: input.count) {
                // A range that passed the check can be sliced without a trap.
                p.require(layout.ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= input.count }, "layout \(layout.ranges)")
                p.require(layout.ranges.count == 2 && layout.ranges[0].upperBound < layout.ranges[1].lowerBound,
                          "layout overlaps: \(layout.ranges)")
            }
        }
    }

    /// The input as FlateDecode data, alone and as a chain of two filters.
    private static func decoders(_ input: [UInt8], _ p: PropertyCheck) {
        let limit = 256 << 10
        switch ZlibInflate.zlib(input, limit: limit) {
        case .data(let out): p.require(out.count <= limit, "inflated \(out.count) past the limit \(limit)")
        case .overLimit, .corrupt, .stopped: break
        }
        var dict = PDFDictionary()
        dict.set("Filter", .array([.name("FlateDecode"), .name("FlateDecode")]), span: 0..<0)
        let budget = ValidationBudget(limits: limits)
        if let out = StreamDecoder.decode(dict, input, budget: budget) {
            p.require(out.count <= limits.maxInflatedBytes, "decoded \(out.count) bytes")
        }
        p.require(budget.inflatedBytes <= limits.maxInflatedBytes + 1, "charged \(budget.inflatedBytes) bytes")
    }
}
