import FeedModel

extension PollingHints {
    private static let dayNumbers = [
        "sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7,
    ]

    /// Takes in one captured channel element; values that make no sense are ignored, never guessed.
    mutating func read(_ field: Field, text: String) {
        let value = text.trimmingWhitespace()
        switch field {
        case .ttl:
            if let minutes = Int(value), minutes > 0 { ttlMinutes = minutes }
        case .updatePeriod:
            if PollingHints.periodSeconds(String(value)) != nil { updatePeriod = value.lowercased() }
        case .updateFrequency:
            if let frequency = Int(value), frequency > 0 { updateFrequency = frequency }
        case .skipHours:
            // RSS 2.0 says 0–23; some feeds write 24 for midnight.
            let hours = value.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }.filter { (0...24).contains($0) }
            skipHours = Array(Set(hours.map { $0 % 24 })).sorted()
        case .skipDays:
            let days = value.split(whereSeparator: \.isWhitespace).compactMap { Self.dayNumbers[$0.lowercased()] }
            skipDays = Array(Set(days)).sorted()
        default:
            break
        }
    }
}
