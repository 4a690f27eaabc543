/// English function words and the words of dates (a date names when, not what: two stories of the same day
/// must not meet on "September"), never used as features.
enum Stopwords {
    static let english: Set<String> = Set(
        """
        a about above after again against all am an and any are aren't as at be because been before being below
        between both but by can cannot could did do does doing done down during each few for from further had has
        have having he her here hers herself him himself his how i if in into is isn't it its itself just let me
        more most my myself no nor not now of off on once only or other our ours ourselves out over own same she
        should so some such than that the their theirs them themselves then there these they this those through
        to too under until up very was we were what when where which while who whom why will with would you your
        yours yourself yourselves also says said say new s t via amid get gets got may might must shall can't
        won't don't one two three ll re ve d m like still yet back
        january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec
        monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
        week weekend year years day days
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// Numbers that are days of the month, years or ordinals: dates again, not the "20" of "20 new cases".
    static func isDateLike(_ lower: String) -> Bool {
        if lower.unicodeScalars.allSatisfy(\.isDigit) {
            guard let value = Int(lower) else { return false }
            return value <= 31 || (1990...2039).contains(value)
        }
        if ["1st", "2nd", "3rd"].contains(lower) { return true }
        guard lower.count > 2 else { return false }
        let number = lower.dropLast(2)
        let suffix = lower.suffix(2)
        return !number.isEmpty && number.unicodeScalars.allSatisfy(\.isDigit) && ["th", "st", "nd", "rd"].contains(suffix)
    }
}
