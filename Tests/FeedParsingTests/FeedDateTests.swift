import Foundation
import Testing

@testable import FeedParsing

@Suite struct FeedDateTests {
    /// Each variant and the instant it denotes, as seconds since 1970.
    @Test(arguments: [
        ("Mon, 20 Sep 2021 10:15:00 GMT", 1_632_132_900),
        ("Mon, 20 Sep 2021 10:15:00 +0000", 1_632_132_900),
        ("Mon, 20 Sep 2021 12:15:00 +0200", 1_632_132_900),
        ("Mon, 20 Sep 2021 06:15:00 EDT", 1_632_132_900),
        ("Mon, 20 Sep 2021 03:15:00 PDT", 1_632_132_900),
        ("Mon, 20 Sep 2021 02:15:00 pst", 1_632_132_900),
        ("20 Sep 2021 05:15:00 CDT", 1_632_132_900),
        ("20 Sep 2021 10:15 GMT", 1_632_132_900),
        ("Mon, 20 Sep 21 10:15:00 GMT", 1_632_132_900),
        ("Mon,20 Sep 2021 10:15:00 Z", 1_632_132_900),
        ("Monday, 20 September 2021 10:15:00 UTC", 1_632_132_900),
        ("Mon, 20 Sep 2021  10:15:00   GMT", 1_632_132_900),
        ("Mon, 20 Sep 2021 10:15:00", 1_632_132_900),
        ("Mon Sep 20 10:15:00 2021", 1_632_132_900),
        ("Mon, 20-Sep-2021 10:15:00 GMT", 1_632_132_900),
        ("Mon, 20 Sep 2021 10:15:00 +02:00", 1_632_125_700),
        ("2021-09-20T10:15:00Z", 1_632_132_900),
        ("2021-09-20T10:15:00.123456Z", 1_632_132_900),
        ("2021-09-20T12:15:00+02:00", 1_632_132_900),
        ("2021-09-20T05:15:00-0500", 1_632_132_900),
        ("2021-09-20T10:15Z", 1_632_132_900),
        ("2021-09-20 10:15:00", 1_632_132_900),
        ("20210920T101500Z", 1_632_132_900),
        ("2021-09-20", 1_632_096_000),
        ("2021-09", 1_630_454_400),
        ("2021", 1_609_459_200),
    ])
    func parses(_ text: String, _ seconds: Int) {
        #expect(FeedDate.parse(text) == Date(timeIntervalSince1970: TimeInterval(seconds)), "\(text)")
    }

    @Test(arguments: [
        "", "yesterday", "Mon, 31 Feb 2021 10:00:00 GMT", "2021-13-01", "2021-09-20T25:00:00Z", "Mon, 20 Sep 2021 10:61:00 GMT",
        "20 Foo 2021", "2021-09-20T10:15:00+99:00", "Sep 2021",
        // A named zone with a day name that is not one: the general parser judges it, not the fast path.
        "Xyz, 21 Sep 2021 10:15:00 EST",
    ])
    func rejects(_ text: String) {
        #expect(FeedDate.parse(text) == nil, "\(text)")
    }
}
