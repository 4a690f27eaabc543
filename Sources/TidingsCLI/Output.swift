import FeedConfig
import Foundation

/// JSON as the CLI prints it: snake_case keys, ISO 8601 UTC dates, sorted keys, one value per run.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// "just now", "5 min ago", "3 h ago", "2 d ago"; from a week back, the date and time ("2021-09-20 14:05", local
/// time): "1896 d ago" says nothing.
enum RelativeTime {
    static func describe(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 0 { return "in the future" }
        if seconds < 60 { return "just now" }
        if seconds < 3600 { return "\(seconds / 60) min ago" }
        if seconds < 86400 { return "\(seconds / 3600) h ago" }
        if seconds < 7 * 86400 { return "\(seconds / 86400) d ago" }
        return date.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: .current, calendar: Calendar(identifier: .gregorian)))
    }
}

/// A point in time given on the command line: a duration back from now ("24h", "7d"), an ISO 8601 time with a
/// zone ("2021-09-20T14:00:00Z"), or a local date or date and time ("2021-09-20", "2021-09-20T14:00",
/// "2021-09-20 14:00:30"). A local date means the start of that day in the machine's time zone.
enum TimeArgument {
    static func date(_ text: String, now: Date) -> Date? {
        if let seconds = Quantities.seconds(text) { return now.addingTimeInterval(-Double(seconds)) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { "-T: ".contains($0) })
        guard [3, 5, 6].contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) else { return nil }
        // The day's start (which a change to summer time can move off midnight), then the time of day.
        guard let day = calendar.date(from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2])),
            calendar.component(.day, from: day) == numbers[2]
        else { return nil }
        let start = calendar.startOfDay(for: day)
        guard numbers.count > 3 else { return start }
        let (hour, minute, second) = (numbers[3], numbers[4], numbers.count == 6 ? numbers[5] : 0)
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        return calendar.date(bySettingHour: hour, minute: minute, second: second, of: start)
    }

    static let expected =
        "expected a duration back from now (90m, 24h, 7d) or a date (2021-09-20, 2021-09-20T14:00, 2021-09-20T14:00:00Z)"
}

/// Left-aligned columns separated by two spaces. On a terminal the last column is cut to the window's width,
/// and cells may be coloured (never when NO_COLOR is set or output is not a terminal).
enum TextTable {
    static func render(_ rows: [[String]], styles: (_ row: Int, _ column: Int) -> Terminal.Style? = { _, _ in nil }) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let maximumWidth = Terminal.width
        var output = ""
        for (rowIndex, row) in rows.enumerated() {
            var line = ""
            var used = 0
            for (index, cell) in row.enumerated() {
                let isLast = index == row.count - 1
                var text = cell
                if isLast, let maximumWidth, used + text.count > maximumWidth {
                    text = truncate(text, to: max(maximumWidth - used, 8))
                }
                let style = rowIndex == 0 ? Terminal.Style.dim : styles(rowIndex, index)
                line += Terminal.paint(text, style)
                if !isLast {
                    let padding = widths[index] - cell.count + 2
                    line += String(repeating: " ", count: padding)
                    used += cell.count + padding
                }
            }
            output += line + "\n"
        }
        return output
    }

    static func truncate(_ text: String, to width: Int) -> String {
        let single = text.replacingOccurrences(of: "\n", with: " ")
        return single.count <= width ? single : String(single.prefix(max(width - 1, 0))) + "…"
    }
}

/// What standard output is: a terminal (with a width, colours allowed) or a pipe/file.
enum Terminal {
    enum Style {
        case red, yellow, green, bold, dim

        var code: String {
            switch self {
            case .red: return "31"
            case .yellow: return "33"
            case .green: return "32"
            case .bold: return "1"
            case .dim: return "2"
            }
        }
    }

    static let isInteractive = isatty(1) == 1

    /// Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb.
    static let usesColour: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return isInteractive && environment["NO_COLOR"].map(\.isEmpty) ?? true && environment["TERM"] != "dumb"
    }()

    /// Columns of the terminal ($COLUMNS, else the window size); nil when output is not a terminal.
    static let width: Int? = {
        guard isInteractive else { return nil }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 else { return nil }
        return Int(size.ws_col)
    }()

    static func paint(_ text: String, _ style: Style?) -> String {
        guard let style, usesColour, !text.isEmpty else { return text }
        return "\u{1B}[\(style.code)m\(text)\u{1B}[0m"
    }
}
