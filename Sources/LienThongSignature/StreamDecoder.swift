/// Decodes stream data for the few structures the update check must read
/// (object streams). Only FlateDecode without predictor is supported; anything
/// else is "unreadable", which the caller treats conservatively.
enum StreamDecoder {
    /// Output cap: an object stream is small; a zip bomb must not exhaust memory.
    static let maxOutput = 64 << 20

    static func decode(_ dict: PDFDictionary, _ raw: [UInt8]) -> [UInt8]? {
        var filters: [String] = []
        switch dict["Filter"] {
        case nil: return raw
        case .name(let n)?: filters = [n]
        case .array(let items)?: filters = items.compactMap(\.name)
        default: return nil
        }
        if let parms = dict["DecodeParms"], parms != .null {
            // Predictors are used on xref streams, not on object streams in practice.
            if let predictor = parms.dictionary?["Predictor"]?.integer, predictor > 1 { return nil }
            if case .array = parms { return nil }
        }
        var data = raw
        for filter in filters {
            guard filter == "FlateDecode" || filter == "Fl", let out = Inflate.zlib(data, limit: maxOutput) else { return nil }
            data = out
        }
        return data
    }
}
