/// Why a Feeds.yaml could not be used: the file, the position and what was expected there.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// 1-based line, when the problem has a position.
    public var line: Int?
    /// 1-based column, when the problem has a position.
    public var column: Int?
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `Feeds.yaml:12:7: interval '5x' is not a duration; expected e.g. 90s, 30m, 2h or 1d`
    public var description: String {
        var location = path
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}
