@testable import StoryClustering
import Testing

@Suite struct LowerCasingTests {
    @Test(arguments: [
        "Biden’s Plan", "İSTANBUL Talks", "ΟΔΥΣΣΕΥΣ", "Straße GROSS", "ǅemal Bijedić", "Ångström", "L’ÉLYSÉE “Reply”",
        "東京 Olympics", "ﬁnal ＡＢＣ", "",
    ])
    func lowerCasingScalarByScalarMatchesTheStandardLibrary(text: String) {
        #expect(String(String.UnicodeScalarView(Tokenizer.lowercasedScalars(text))) == text.lowercased())
    }

    @Test func normalisedTitlesJoinLowerCasedWords() {
        #expect(Tokenizer.normalizedTitle("Biden’s PLAN: “No” to ÖLÜDENIZ!") == "biden's plan no to ölüdeniz")
        #expect(Tokenizer.normalizedTitle("  Evergrande -- misses   payment ") == "evergrande misses payment")
    }
}
