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
        body.append(contentsOf: bytes)
        return true
    }

    /// Called with each raw header line; a status line starts a new response (after a redirect).
    func receiveHeader(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count >= 2, let status = Int(parts[1]), status >= 200 { statuses.append(status) }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { return }
        headers[name] = value
    }
}
