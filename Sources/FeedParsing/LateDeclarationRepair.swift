import Foundation

/// Moves blank lines that come before the XML declaration to just after it.
///
/// Many feeds start with a newline that a template or a PHP file printed before `<?xml`. XML allows nothing there,
/// and libxml2 reports "XML declaration allowed only at the start of the document" for every poll of such a feed
/// (seven of the 131 real-world feeds of `../shared/feedconf`). Moving the white space to after the declaration keeps
/// every later line at its line number, so the parser's other warnings still point at the right line.
enum LateDeclarationRepair {
    /// The repaired copy of `data` (ASCII-compatible bytes, after any UTF-8 byte-order mark), or nil when the
    /// declaration is where it belongs or there is none.
    static func repair(_ data: Data) -> Data? {
        let start = data.startIndex
        let bom: Int = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var first = start + bom
        while first < data.endIndex, isSpace(data[first]) { first += 1 }
        guard first > start + bom, data[first...].starts(with: Array("<?xml".utf8)), first + 5 < data.endIndex,
            isSpace(data[first + 5])
        else { return nil }
        // The declaration's end: the first "?>" (within its usual length).
        let searchEnd = min(data.endIndex, first + 512)
        guard let close = data[first..<searchEnd].firstRange(of: Array("?>".utf8)) else { return nil }
        var repaired = Data(capacity: data.count)
        repaired.append(data[start..<start + bom])
        repaired.append(data[first..<close.upperBound])
        repaired.append(data[(start + bom)..<first])
        repaired.append(data[close.upperBound...])
        return repaired
    }

    /// XML's white space (production S).
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
