/// Decodes stream data for the few structures the update check must read
/// (object streams). Only FlateDecode without predictor is supported; anything
/// else is "unreadable", which the caller treats conservatively. Every stream
/// and every inflated byte is charged to the file's budget: a stage may only
/// produce what the whole file has left, so a chain of filters or hundreds of
/// streams cannot add up past it.
enum StreamDecoder {
    static func decode(_ dict: PDFDictionary, _ raw: [UInt8], budget: ValidationBudget) -> [UInt8]? {
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
        guard filters.allSatisfy({ $0 == "FlateDecode" || $0 == "Fl" }), budget.spendStream() else { return nil }
        var data = raw
        for _ in filters {
            let allowance = budget.inflateAllowance
            switch ZlibInflate.zlib(data, limit: allowance, keepGoing: budget.checkTime) {
            case .data(let out):
                guard budget.spendInflated(out.count) else { return nil }
                data = out
            case .overLimit:
                _ = budget.spendInflated(allowance + 1)
                return nil
            case .corrupt, .stopped:
                return nil
            }
        }
        return data
    }
}
