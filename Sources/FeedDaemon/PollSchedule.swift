public import Foundation

/// When to poll a feed next: pure arithmetic over the interval, the failure count and a random draw, so that
/// tests can pin every input.
public struct PollSchedule: Sendable, Equatable {
    /// Longest wait after repeated failures.
    public var maximumBackoffSeconds: Double = 24 * 3600
    /// Jitter as a fraction of the wait (0.1 = up to 10% later), so feeds with equal intervals drift apart.
    public var jitterFraction: Double = 0.1

    public init(maximumBackoffSeconds: Double = 24 * 3600, jitterFraction: Double = 0.1) {
        self.maximumBackoffSeconds = maximumBackoffSeconds
        self.jitterFraction = jitterFraction
    }

    /// The next poll time.
    /// - Parameters:
    ///   - now: when the poll finished.
    ///   - intervalSeconds: the feed's configured interval.
    ///   - consecutiveFailures: failures in a row including this poll (0 after a success).
    ///   - randomUnit: a draw from [0, 1), the only randomness.
    public func nextPoll(after now: Date, intervalSeconds: Int, consecutiveFailures: Int, randomUnit: Double) -> Date {
        var wait = Double(intervalSeconds)
        if consecutiveFailures > 0 {
            // 1×, 2×, 4×… the interval, from a floor of 5 minutes so that short intervals still back off.
            let base = max(wait, 300)
            wait = min(base * pow(2, Double(min(consecutiveFailures - 1, 20))), maximumBackoffSeconds)
            wait = max(wait, Double(intervalSeconds))
        }
        let jitter = wait * jitterFraction * min(max(randomUnit, 0), 1)
        return now.addingTimeInterval(wait + jitter)
    }
}
