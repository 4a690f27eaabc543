import FeedModel

/// Parsing of the human-written quantities Feeds.yaml uses: durations (`90s`, `30m`, `1h30m`, `2d`) and
/// byte sizes (`512KiB`, `16MiB`, `10MB`, `1048576`).
public enum Quantities {
    /// Seconds in `text`, or nil when it is not a duration. Units: s, m, h, d; parts may be combined (`1h30m`).
    public static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var total = 0
        var number = ""
        var sawPart = false
        for character in text.trimmingWhitespace() {
            if character.isASCII, character.isNumber {
                number.append(character)
            } else if let unit = units[character], let value = Int(number) {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit)
                guard !overflow else { return nil }
                total += product
                number = ""
                sawPart = true
            } else {
                return nil
            }
        }
        return sawPart && number.isEmpty ? total : nil
    }

    /// Bytes in `text`, or nil when it is not a size. Units: B, KB/MB/GB (powers of 1000), KiB/MiB/GiB (1024).
    static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard let value = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace().lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "kb": 1000, "mb": 1_000_000, "gb": 1_000_000_000,
            "kib": 1024, "mib": 1024 * 1024, "gib": 1024 * 1024 * 1024,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `1800` → `30m`, `5400` → `1h30m`: the inverse of `seconds(_:)` for messages.
    static func durationText(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }
}
