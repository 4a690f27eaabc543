import FeedParsing
import Foundation

/// What a response's headers say about when to come back: freshness (Cache-Control max-age, Expires) and
/// Retry-After (seconds or an HTTP date).
enum HTTPCacheHeaders {
    /// Seconds the response may be considered fresh, nil when the headers say nothing usable.
    static func maxAgeSeconds(_ headers: [String: String], now: Date) -> Double? {
        if let cacheControl = headers["cache-control"]?.lowercased() {
            let directives = cacheControl.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if directives.contains(where: { $0 == "no-cache" || $0 == "no-store" }) { return nil }
            for directive in directives where directive.hasPrefix("max-age=") {
                let value = directive.dropFirst("max-age=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if let seconds = Double(value), seconds >= 0 { return seconds }
            }
        }
        if let expires = headers["expires"].flatMap(FeedDate.parse) {
            let reference = headers["date"].flatMap(FeedDate.parse) ?? now
            return max(expires.timeIntervalSince(reference), 0)
        }
        return nil
    }

    /// The date a Retry-After header names, nil when absent or unreadable.
    static func retryAfter(_ headers: [String: String], now: Date) -> Date? {
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        if let seconds = Int(value) { return now.addingTimeInterval(Double(max(seconds, 0))) }
        return FeedDate.parse(value)
    }
}
