/// A small, bounded DEFLATE (RFC 1951) decoder with the zlib wrapper (RFC 1950),
/// for PDF object streams. The package links no zlib, and the update check
/// needs only this: canonical Huffman decoding one bit at a time, which is slow
/// but simple to get right, and the input here is small. Any malformed input
/// gives nil; output beyond `limit` gives nil.
enum Inflate {
    static func zlib(_ data: [UInt8], limit: Int) -> [UInt8]? {
        guard data.count >= 2 else { return nil }
        let cmf = Int(data[0]), flg = Int(data[1])
        guard cmf & 0x0F == 8, (cmf << 8 | flg) % 31 == 0, flg & 0x20 == 0 else { return nil }
        // The Adler-32 trailer is not checked: PDF writers often get it wrong,
        // and the decoded objects are parsed and compared anyway.
        return raw(data, from: 2, limit: limit)
    }

    private struct BitReader {
        let data: [UInt8]
        var position: Int
        var bitBuffer = 0
        var bitCount = 0

        mutating func bits(_ n: Int) -> Int? {
            while bitCount < n {
                guard position < data.count else { return nil }
                bitBuffer |= Int(data[position]) << bitCount
                position += 1
                bitCount += 8
            }
            let value = bitBuffer & ((1 << n) - 1)
            bitBuffer >>= n
            bitCount -= n
            return value
        }

        mutating func alignToByte() {
            bitBuffer = 0
            bitCount = 0
        }
    }

    /// Canonical Huffman code as counts per length and symbols in code order.
    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init?(lengths: [Int]) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths {
                guard length >= 0, length <= 15 else { return nil }
                counts[length] += 1
            }
            var left = 1
            for length in 1...15 {
                left <<= 1
                left -= counts[length]
                if left < 0 { return nil }  // over-subscribed
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }

        func decode(_ reader: inout BitReader) -> Int? {
            var code = 0, first = 0, index = 0
            for length in 1...15 {
                guard let bit = reader.bits(1) else { return nil }
                code |= bit
                let count = counts[length]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            return nil
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                     35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                       8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static let fixed: (Huffman, Huffman) = {
        var lengths = [Int](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return (Huffman(lengths: lengths)!, Huffman(lengths: [Int](repeating: 5, count: 30))!)
    }()

    static func raw(_ data: [UInt8], from start: Int, limit: Int) -> [UInt8]? {
        var reader = BitReader(data: data, position: start)
        var out: [UInt8] = []
        while true {
            guard let last = reader.bits(1), let type = reader.bits(2) else { return nil }
            switch type {
            case 0:
                reader.alignToByte()
                let p = reader.position
                guard p + 4 <= data.count else { return nil }
                let length = Int(data[p]) | Int(data[p + 1]) << 8
                let complement = Int(data[p + 2]) | Int(data[p + 3]) << 8
                guard length == (~complement & 0xFFFF), p + 4 + length <= data.count,
                      out.count + length <= limit else { return nil }
                out += data[(p + 4)..<(p + 4 + length)]
                reader.position = p + 4 + length
            case 1:
                guard codes(&reader, fixed.0, fixed.1, &out, limit: limit) else { return nil }
            case 2:
                guard let (literal, distance) = dynamicTables(&reader),
                      codes(&reader, literal, distance, &out, limit: limit) else { return nil }
            default:
                return nil
            }
            if last == 1 { return out }
        }
    }

    private static func dynamicTables(_ reader: inout BitReader) -> (Huffman, Huffman)? {
        guard let hlit = reader.bits(5), let hdist = reader.bits(5), let hclen = reader.bits(4) else { return nil }
        let literalCount = hlit + 257, distanceCount = hdist + 1
        guard literalCount <= 286, distanceCount <= 30 else { return nil }
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<(hclen + 4) {
            guard let v = reader.bits(3) else { return nil }
            codeLengths[codeLengthOrder[i]] = v
        }
        guard let lengthCode = Huffman(lengths: codeLengths) else { return nil }
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            guard let symbol = lengthCode.decode(&reader) else { return nil }
            switch symbol {
            case 0...15:
                lengths.append(symbol)
            case 16:
                guard let previous = lengths.last, let r = reader.bits(2) else { return nil }
                lengths += repeatElement(previous, count: 3 + r)
            case 17:
                guard let r = reader.bits(3) else { return nil }
                lengths += repeatElement(0, count: 3 + r)
            case 18:
                guard let r = reader.bits(7) else { return nil }
                lengths += repeatElement(0, count: 11 + r)
            default:
                return nil
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0,
              let literal = Huffman(lengths: Array(lengths[0..<literalCount])),
              let distance = Huffman(lengths: Array(lengths[literalCount...])) else { return nil }
        return (literal, distance)
    }

    private static func codes(_ reader: inout BitReader, _ literal: Huffman, _ distance: Huffman,
                              _ out: inout [UInt8], limit: Int) -> Bool {
        while true {
            guard let symbol = literal.decode(&reader) else { return false }
            if symbol < 256 {
                guard out.count < limit else { return false }
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return true
            } else {
                let index = symbol - 257
                guard index < lengthBase.count, let extra = reader.bits(lengthExtra[index]) else { return false }
                let length = lengthBase[index] + extra
                guard let d = distance.decode(&reader), d < distanceBase.count,
                      let dExtra = reader.bits(distanceExtra[d]) else { return false }
                let back = distanceBase[d] + dExtra
                guard back <= out.count, out.count + length <= limit else { return false }
                let from = out.count - back
                for k in 0..<length { out.append(out[from + k]) }
            }
        }
    }
}
