public import Foundation

/// A directory for one test's files, removed with everything in it when the test lets go of it.
///
/// Suites are structs that Swift Testing makes once per test, so a suite that holds one gets a fresh directory per
/// test and loses it when the test ends. The directory itself is created by whoever needs it first. With
/// `TIDINGS_KEEP_SCRATCH` set (to anything) every directory is kept for a look after a failure.
public final class ScratchDirectory: Sendable {
    /// Where the directory is (or will be).
    public let url: URL

    /// A name under the system's temporary directory; `shortPath` puts it straight under /tmp with an 8-character
    /// suffix, for unix sockets inside it (their paths are limited to 108 bytes).
    public init(prefix: String, shortPath: Bool = false) {
        url =
            shortPath
            ? URL(fileURLWithPath: "/tmp/\(prefix)-\(UUID().uuidString.prefix(8))")
            : FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    }

    deinit {
        guard ProcessInfo.processInfo.environment["TIDINGS_KEEP_SCRATCH"] == nil else { return }
        try? FileManager.default.removeItem(at: url)
    }
}
