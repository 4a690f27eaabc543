import Foundation
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

@Suite struct WordIdentityTests {
    /// A Korean syllable written precomposed and as its three jamo is one word, as the two are one `String`
    /// (the first spelling seen decides, for example, that a one-character word is a stopword).
    @Test func canonicallyEquivalentSpellingsAreOneWord() {
        let precomposed = "\u{AC01}"
        let jamo = "\u{1100}\u{1161}\u{11A8}"
        #expect(precomposed == jamo)
        let clusterer = StoryClusterer()
        let start = Date(timeIntervalSince1970: 1_632_000_000)
        _ = clusterer.add(ClusterItem(title: "\(precomposed) summit opens", summary: nil, source: "a", published: start))
        let words = clusterer.wordCount
        _ = clusterer.add(
            ClusterItem(title: "\(jamo) summit opens", summary: nil, source: "b", published: start.addingTimeInterval(60)))
        #expect(clusterer.wordCount == words)
        _ = clusterer.add(
            ClusterItem(title: "Seoul summit opens", summary: nil, source: "c", published: start.addingTimeInterval(120)))
        #expect(clusterer.wordCount == words + 1)
    }
}
