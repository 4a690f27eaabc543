@testable import StoryClustering
import Testing

@Suite struct WordTableTests {
    func index(_ table: WordTable, _ word: String) -> Int? {
        table.index(of: ArraySlice(word.utf8))
    }

    func append(_ table: inout WordTable, _ word: String) -> Int {
        table.append(ArraySlice(word.utf8))
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
        #expect(index(table, "abc") == 0)
        // ASCII capitals read as lower case; other bytes as they are.
        #expect(index(table, "ABC") == 0)
        #expect(index(table, "aBc") == 0)
        _ = append(&table, "été")
        #expect(index(table, "ÉTÉ") == nil)
        #expect(index(table, "été") == 1)
    }
}
