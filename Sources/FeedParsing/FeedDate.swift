public import Foundation

/// Dates as feeds write them: RFC 822/2822 in its real-world variants (two-digit years, no seconds, named,
/// numeric and military zones, no day name, odd spacing), RFC 3339 / ISO 8601 / W3C-DTF (partial dates, no
/// zone, fractions) and asctime. A date that cannot be read is nil, never a guess.
///
/// See RFC 822 §5, RFC 2822 §3.3 and RFC 3339 §5.6.
public enum FeedDate {
    /// The instant `text` denotes, in UTC, or nil when it is not a date this parser understands.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        guard !bytes.isEmpty else { return nil }
        if bytes.count >= 4, bytes[0...3].allSatisfy(isDigit) {
            if let date = iso8601(bytes) { return date }
        }
        if let date = canonicalRFC822(bytes) { return date }
        return rfc822(text)
    }

    // MARK: ISO 8601 / RFC 3339 / W3C-DTF

    private static func iso8601(_ input: [UInt8]) -> Date? {
        var bytes = input
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D { bytes.removeLast() }
        var index = 0
        func number(_ digits: Int) -> Int? { readDigits(bytes[...], at: &index, count: digits) }
        func skip(_ byte: UInt8) -> Bool { skipByte(byte, in: bytes[...], at: &index) }
        guard let year = number(4) else { return nil }
        var month = 1, day = 1
        let extended = skip(UInt8(ascii: "-"))
        if extended {
            guard let parsedMonth = number(2) else { return nil }
            month = parsedMonth
            if skip(UInt8(ascii: "-")) {
                guard let parsedDay = number(2) else { return nil }
                day = parsedDay
            }
        } else if index < bytes.count {
            guard let parsedMonth = number(2), let parsedDay = number(2) else { return nil }
            month = parsedMonth
            day = parsedDay
        }
        var hour = 0, minute = 0, second = 0
        var offsetSeconds = 0
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == 0x20
            else { return nil }
            index += 1
            guard let parsedHour = number(2) else { return nil }
            hour = parsedHour
            let colon = skip(UInt8(ascii: ":"))
            guard let parsedMinute = number(2) else { return nil }
            minute = parsedMinute
            if colon ? skip(UInt8(ascii: ":")) : (index < bytes.count && isDigit(bytes[index])) {
                guard let parsedSecond = number(2) else { return nil }
                second = parsedSecond
                if skip(UInt8(ascii: ".")) || skip(UInt8(ascii: ",")) {
                    while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                }
            }
            while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            if index < bytes.count {
                let sign = bytes[index]
                if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                    index += 1
                } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                    index += 1
                    guard let zoneHours = number(2) else { return nil }
                    _ = skip(UInt8(ascii: ":"))
                    let zoneMinutes = index < bytes.count ? (number(2) ?? 0) : 0
                    guard zoneHours <= 14, zoneMinutes < 60 else { return nil }
                    offsetSeconds = (zoneHours * 3600 + zoneMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
                } else {
                    let rest = String(decoding: bytes[index...], as: UTF8.self)
                    guard let zone = zoneOffset(rest) else { return nil }
                    offsetSeconds = zone
                    index = bytes.count
                }
            }
        }
        guard index == bytes.count else { return nil }
        return makeDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offsetSeconds)
    }

    // MARK: RFC 822 / RFC 2822 / asctime

    /// The form nearly every feed uses, read without allocating: `Mon, 20 Sep 2021 10:15:00 +0000` (or a named
    /// zone: `GMT`, `UT`, `UTC`, `Z`, `PST`, `EDT` …). Anything else goes to the general parser.
    private static func canonicalRFC822(_ input: [UInt8]) -> Date? {
        var bytes = input[...]
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D { bytes.removeLast() }
        var index = bytes.startIndex
        var dayName: ArraySlice<UInt8>?
        if bytes.count > 5, bytes[index + 3] == UInt8(ascii: ",") {
            dayName = bytes[index..<(index + 3)]
            index += 4
        }
        while index < bytes.endIndex, bytes[index] == 0x20 { index += 1 }
        func digits(_ count: Int) -> Int? { readDigits(bytes, at: &index, count: count) }
        func expect(_ byte: UInt8) -> Bool { skipByte(byte, in: bytes, at: &index) }
        let dayDigits = index + 1 < bytes.endIndex && isDigit(bytes[index + 1]) ? 2 : 1
        guard let day = digits(dayDigits), expect(0x20), index + 3 <= bytes.endIndex else { return nil }
        let monthKey = (UInt32(bytes[index] | 0x20) << 16) | (UInt32(bytes[index + 1] | 0x20) << 8) | UInt32(bytes[index + 2] | 0x20)
        guard let month = monthKeys[monthKey] else { return nil }
        index += 3
        guard expect(0x20), let year = digits(4), expect(0x20), let hour = digits(2), expect(UInt8(ascii: ":")),
            let minute = digits(2)
        else { return nil }
        var second = 0
        if expect(UInt8(ascii: ":")) {
            guard let value = digits(2) else { return nil }
            second = value
        }
        guard expect(0x20) else { return nil }
        let zone = bytes[index...]
        var offset = 0
        if let sign = zone.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            guard zone.count == 5, zone.dropFirst().allSatisfy(isDigit) else { return nil }
            let value = zone.dropFirst().reduce(0) { $0 * 10 + Int($1 - 48) }
            guard value / 100 <= 14, value % 100 < 60 else { return nil }
            offset = (value / 100 * 3600 + value % 100 * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            // Named zones (GMT, UT, PST, EDT, …) as the general parser reads them.
            guard !zone.isEmpty, zone.count <= 4, zone.allSatisfy({ ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }) else {
                return nil
            }
            let name = String(decoding: zone, as: UTF8.self).lowercased()
            guard let hours = zoneHours[name] else { return nil }
            // With a zone name other than UT's, a day name that is not English ("Mar," for martes, a typo) goes to
            // the general parser, which judges it, as it always did.
            let universal = name == "gmt" || name == "ut" || name == "utc" || name == "z"
            if !universal, let dayName, !weekdays.contains(String(decoding: dayName, as: UTF8.self).lowercased()) {
                return nil
            }
            offset = Int(hours * 3600)
        }
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    private static let monthKeys: [UInt32: Int] = {
        var table: [UInt32: Int] = [:]
        for (index, name) in englishMonths.enumerated() {
            let bytes = Array(name.utf8)
            table[(UInt32(bytes[0]) << 16) | (UInt32(bytes[1]) << 8) | UInt32(bytes[2])] = index + 1
        }
        return table
    }()

    private static func rfc822(_ text: String) -> Date? {
        var tokens: [Substring] = []
        for piece in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            // "01-Jan-2004" and "Jan-01" forms
            if piece.contains("-"), !piece.hasPrefix("-"), !piece.hasPrefix("+"), !piece.contains(":"),
                piece.contains(where: \.isLetter)
            {
                tokens.append(contentsOf: piece.split(separator: "-"))
            } else {
                tokens.append(piece)
            }
        }
        var day: Int?, month: Int?, year: Int?
        var hour = 0, minute = 0, second = 0
        var sawTime = false
        var offset = 0
        for token in tokens {
            if let parsedMonth = monthNumber(token) {
                guard month == nil else { return nil }
                month = parsedMonth
            } else if token.first == "+" || token.first == "-" {
                guard let numeric = numericZone(token) else { return nil }
                offset = numeric
            } else if token.contains(":") {
                guard !sawTime, let time = clock(token) else { return nil }
                (hour, minute, second, offset) = (time.hour, time.minute, time.second, time.offset ?? offset)
                sawTime = true
            } else if token.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard let value = Int(token) else { return nil }
                if token.count == 4 {
                    guard year == nil else { return nil }
                    year = value
                } else if token.count <= 2, day == nil, year == nil || month != nil {
                    day = value
                } else if token.count <= 2, year == nil {
                    year = value < 50 ? 2000 + value : 1900 + value
                } else {
                    return nil
                }
            } else if let zone = zoneOffset(String(token)) {
                offset = zone
            } else if weekdays.contains(token.prefix(3).lowercased()) {
                continue
            } else if token.hasSuffix(".") || token.lowercased() == "at" {
                continue
            } else {
                return nil
            }
        }
        guard let day, let month, let year else { return nil }
        return makeDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    private static func clock(_ token: Substring) -> (hour: Int, minute: Int, second: Int, offset: Int?)? {
        var timePart = token
        var offset: Int?
        if let signIndex = token.firstIndex(where: { $0 == "+" || $0 == "-" }) {
            timePart = token[..<signIndex]
            offset = numericZone(token[signIndex...])
            if offset == nil { return nil }
        } else if token.hasSuffix("Z") {
            timePart = token.dropLast()
            offset = 0
        }
        let parts = timePart.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
        var second = 0
        if parts.count == 3 {
            guard let whole = Int(parts[2].prefix { $0.isNumber }) else { return nil }
            second = whole
        }
        return (hour, minute, second, offset)
    }

    private static func numericZone(_ token: Substring) -> Int? {
        guard let sign = token.first, sign == "+" || sign == "-" else { return nil }
        let digits = token.dropFirst().filter { $0 != ":" }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), [2, 4].contains(digits.count),
            let value = Int(digits)
        else { return nil }
        let hours = digits.count == 2 ? value : value / 100
        let minutes = digits.count == 2 ? 0 : value % 100
        guard hours <= 14, minutes < 60 else { return nil }
        return (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
    }

    private static func zoneOffset(_ name: String) -> Int? {
        var key = name.lowercased()
        if key.hasPrefix("etc/") { key.removeFirst(4) }
        if let hours = zoneHours[key] { return Int(hours * 3600) }
        // "GMT+2", "UTC-05:00"
        for prefix in ["gmt", "utc", "ut"] where key.hasPrefix(prefix) && key.count > prefix.count {
            return numericZone(Substring(key.dropFirst(prefix.count)))
        }
        return nil
    }

    private static func monthNumber(_ token: Substring) -> Int? {
        guard token.count >= 3, token.first?.isLetter == true else { return nil }
        let lowered = token.lowercased()
        if let month = monthsByName[lowered] { return month }
        return monthsByName[String(lowered.prefix(3))].flatMap { month in
            // Accept full English names and abbreviations with a dot ("Sept.", "January").
            let full = englishMonths[month - 1]
            let cleaned = lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
            return full.hasPrefix(cleaned) || cleaned == "sept" ? month : nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// Reads exactly `count` decimal digits at `index` and advances past them; nil (index unchanged) otherwise.
    private static func readDigits(_ bytes: ArraySlice<UInt8>, at index: inout Int, count: Int) -> Int? {
        guard index + count <= bytes.endIndex else { return nil }
        var value = 0
        for offset in 0..<count {
            let byte = bytes[index + offset]
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += count
        return value
    }

    /// Advances past `byte` if it is the one at `index`.
    private static func skipByte(_ byte: UInt8, in bytes: ArraySlice<UInt8>, at index: inout Int) -> Bool {
        guard index < bytes.endIndex, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Builds the instant from civil date fields and a UTC offset, validating every field.
    static func makeDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offset: Int) -> Date? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            (0...24).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            hour < 24 || (minute == 0 && second == 0),
            (1000...9999).contains(year)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + min(second, 59) - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    private static let englishMonths = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    private static let monthsByName: [String: Int] = {
        var table: [String: Int] = [:]
        for (index, name) in englishMonths.enumerated() { table[String(name.prefix(3))] = index + 1 }
        return table
    }()

    private static let weekdays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Zone abbreviations seen in feeds, in hours east of UTC. Single letters are RFC 822's military zones.
    private static let zoneHours: [String: Double] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
        "adt": -3, "ast": -4, "at": -4, "edt": -4, "est": -5, "et": -5, "cdt": -5, "cst": -6, "ct": -6,
        "mdt": -6, "mst": -7, "mt": -7, "pdt": -7, "pst": -8, "pt": -8, "akst": -9, "akdt": -8, "hst": -10,
        "a": -1, "n": 1, "m": -12, "y": 12,
        "bst": 1, "cet": 1, "met": 1, "west": 1, "cest": 2, "mest": 2, "eet": 2, "eest": 3, "msk": 3,
        "ist": 5.5, "sgt": 8, "hkt": 8, "awst": 8, "jst": 9, "kst": 9, "acst": 9.5, "aest": 10, "aedt": 11,
        "nzst": 12, "nzdt": 13,
    ]
}
