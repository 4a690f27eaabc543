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

/// "just now", "5 min ago", "3 h ago", "2 d ago".
enum RelativeTime {
    static func describe(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 0 { return "in the future" }
        if seconds < 60 { return "just now" }
        if seconds < 3600 { return "\(seconds / 60) min ago" }
        if seconds < 86400 { return "\(seconds / 3600) h ago" }
        return "\(seconds / 86400) d ago"
    }
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
