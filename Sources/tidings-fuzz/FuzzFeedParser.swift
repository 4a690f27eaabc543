import FeedModel
import FeedParsing
import Foundation

/// libFuzzer entry point: parses arbitrary bytes as a feed, then renders every entry's text, the way the
/// daemon does. Any crash, leak (AddressSanitizer's leak checker) or hang is a bug.
///
/// This target exists only when TIDINGS_FUZZ is set, because it has no `main` of its own (libFuzzer brings
/// it). Build and run (see docs/FUZZING.md):
///
///     TIDINGS_FUZZ=1 swift build -c release --product tidings-fuzz \
///         -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
///     .build/release/tidings-fuzz CORPUS_DIR -max_total_time=600
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFeedParser(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let data = Data(bytes: start, count: count)
    guard let feed = try? FeedParser.parse(data, documentURL: URL(string: "http://fuzz.test/dir/feed.xml"), contentType: nil)
    else { return 0 }
    for entry in feed.entries {
        if let body = entry.content ?? entry.summary { _ = PlainText.of(body) }
        _ = entry.stableKey
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point under this name; hand control to libFuzzer's driver.
@_cdecl("tidings_fuzz_main")
public func tidingsFuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzFeedParser($0, $1) }
}
