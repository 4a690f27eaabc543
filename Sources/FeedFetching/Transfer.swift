internal import CCurl
import Foundation

/// One fetch in progress.
///
/// `@unchecked Sendable`: a transfer is created by the caller, then handed to the loop thread, which alone
/// touches its mutable state (body, headers, easy handle) until it resumes the continuation exactly once.
final class Transfer: @unchecked Sendable {
    let request: FetchRequest
    let hostKey: String
    var continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>?
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var body = Data()
    var headers: [String: String] = [:]
    /// Status of every response received (redirects, then the final one); 1xx interim responses excluded.
    var statuses: [Int] = []
    var bodyLimitExceeded = false
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(request: FetchRequest, hostKey: String) {
        self.request = request
        self.hostKey = hostKey
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
    }

    func resume(with result: Result<FetchResponse, FetchError>) {
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: result)
    }

    /// Called from libcurl's write callback with decompressed body bytes. Returning false aborts the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if body.count + bytes.count > request.limits.maxBodyBytes {
            bodyLimitExceeded = true
            return false
        }
        if body.isEmpty, let length = headers["content-length"].flatMap(Int.init), length > bytes.count {
            // Sized once from the announced length (capped by the body limit, and only a hint: a compressed body
            // decompresses to more), instead of growing a chunk at a time through one fresh buffer after another.
            body.reserveCapacity(min(length, request.limits.maxBodyBytes))
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Called with each raw header line (CRLF included); a status line starts a new response (after a redirect).
    /// Works on the bytes: this runs for every header of every response, on the loop thread.
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return }
            let digits = line[(space + 1)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard digits.count == 3 else { return }
            let status = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            if status >= 200 { statuses.append(status) }
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = Self.trimmed(line[..<colon])
        guard !name.isEmpty else { return }
        let lowered = name.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        headers[String(decoding: lowered, as: UTF8.self)] = String(
            decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
    }

    /// The bytes without leading and trailing spaces, tabs, CR and LF (HTTP's optional whitespace and line end).
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }
}
