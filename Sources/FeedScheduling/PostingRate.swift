public import Foundation

/// How often a feed posts, from the dates of the entries it currently lists.
public enum PostingRate {
    /// The mean time between the feed's entries of the last 30 days, or the silence since its newest entry
    /// when that is longer; nil when the feed gives too few dates to tell.
    public static func interval(of dates: [Date], now: Date) -> Double? {
        let window = 30.0 * 86400
        let plausible = dates.filter { $0.timeIntervalSince(now) <= 3600 }
        guard let newest = plausible.max() else { return nil }
        let silence = max(now.timeIntervalSince(newest), 0)
        let recent = plausible.filter { now.timeIntervalSince($0) <= window }.sorted()
        guard recent.count >= 2, let first = recent.first, let last = recent.last, last > first else {
            // A feed whose newest entry is weeks old posts rarely; one recent date alone says nothing.
            return silence > window ? min(silence, 2 * window) : nil
        }
        let meanGap = last.timeIntervalSince(first) / Double(recent.count - 1)
        return max(meanGap, silence)
    }
}

/// RSS `skipHours` / `skipDays`: hours (UTC) and days in which the feed asks not to be polled.
public enum SkipWindows {
    /// `date`, or the start of the first hour after it that the feed does not skip. If the feed skips every
    /// hour of the week, its request is ignored.
    public static func firstAllowed(after date: Date, skipHours: [Int], skipDays: [Int]) -> Date {
        guard !skipHours.isEmpty || !skipDays.isEmpty else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func skipped(_ candidate: Date) -> Bool {
            let parts = calendar.dateComponents([.hour, .weekday], from: candidate)
            return skipHours.contains(parts.hour ?? -1) || skipDays.contains(parts.weekday ?? -1)
        }
        guard skipped(date) else { return date }
        let hourStart = date.timeIntervalSince1970 - date.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600)
        for hours in 1...(24 * 7) {
            let candidate = Date(timeIntervalSince1970: hourStart + Double(hours) * 3600)
            if !skipped(candidate) { return candidate }
        }
        return date
    }
}
