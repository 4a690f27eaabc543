public import Foundation

/// The daemon's notion of time. Normally the wall clock; for replaying captured feeds (days of news in minutes)
/// it can start at a chosen date and run `speed` times faster. Everything the daemon schedules and stores
/// (poll times, first-seen dates, backoff, retention) follows it; only real waiting is shortened.
public struct DaemonClock: Sendable {
    public let speed: Double
    private let realStart: Date
    private let virtualStart: Date

    /// - Parameters:
    ///   - speed: virtual seconds per real second (1 = real time).
    ///   - start: the virtual time at creation (default: now).
    public init(speed: Double = 1, start: Date? = nil) {
        self.speed = max(speed, 0.001)
        realStart = Date()
        virtualStart = start ?? realStart
    }

    public var isReal: Bool { speed == 1 && virtualStart == realStart }

    public func now() -> Date {
        if isReal { return Date() }
        return virtualStart.addingTimeInterval(Date().timeIntervalSince(realStart) * speed)
    }

    /// Real seconds to wait for `seconds` of this clock to pass.
    public func realSeconds(_ seconds: Double) -> Double { seconds / speed }
}
