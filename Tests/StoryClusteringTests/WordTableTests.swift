@testable import StoryClustering
import Testing

@Suite struct WordTableTests {
    func index(_ table: WordTable, _ word: String) -> Int? {
        Array(word.utf8).withUnsafeBufferPointer { table.index(of: $0) }
    }

    func append(_ table: inout WordTable, _ word: String) -> Int {
        Array(word.utf8).withUnsafeBufferPointer { table.append($0) }
    }

    @Test func numbersWordsInOrderAndFindsEachAgainAcrossGrowth() {
        var table = WordTable()
        // Enough words to grow the slot array several times (it starts at 1,024 slots, at most half full).
        let words = (0..<5_000).map { "w\($0)" } + ["", "a", "ab", "ba", "évènement", "l'élysée"]
        for (number, word) in words.enumerated() {
            #expect(index(table, word) == nil, "\(word) found before it was added")
            #expect(append(&table, word) == number)
        }
        #expect(table.count == words.count)
        for (number, word) in words.enumerated() { #expect(index(table, word) == number, "\(word)") }
    }

    @Test func tellsWordsApartByEveryByte() {
        var table = WordTable()
        _ = append(&table, "abc")
        // A prefix, an extension and the same bytes in another order are other words.
        #expect(index(table, "ab") == nil)
        #expect(index(table, "abcd") == nil)
        #expect(index(table, "cba") == nil)
        #expect(index(table, "ABC") == nil)
        #expect(index(table, "abc") == 0)
    }
}
