import Foundation

/// Fetches feeds over HTTP(S) with libcurl's multi interface: many transfers at once on one dedicated thread,
/// with a global and a per-host concurrency limit.
///
/// ```swift
/// let fetcher = FeedFetcher()
/// let result = await fetcher.fetch(FetchRequest(url: "https://example.com/feed.xml", userAgent: "Tidings/0.1"))
/// ```
public final class FeedFetcher: Sendable {
    private let loop: CurlMultiLoop

    /// Starts the transfer thread.
    /// - Parameters:
    ///   - maxConcurrent: transfers in flight at once across all hosts.
    ///   - maxPerHost: transfers in flight at once to one host.
    public init(maxConcurrent: Int = 32, maxPerHost: Int = 2) {
        loop = CurlMultiLoop(maxConcurrent: max(1, maxConcurrent), maxPerHost: max(1, maxPerHost))
    }

    deinit {
        loop.shutdown()
    }

    /// Fetches one URL. Any HTTP status is a response; only transport failures are errors.
    /// Cancelling the calling task aborts the transfer with `FetchError.Kind.cancelled`.
    public func fetch(_ request: FetchRequest) async -> Result<FetchResponse, FetchError> {
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            return .failure(FetchError(kind: .invalidURL, url: request.url, message: "not an http(s) URL"))
        }
        let transfer = Transfer(request: request, hostKey: host.lowercased() + ":" + String(components.port ?? 0))
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Aborts every transfer and stops the thread. Later fetches fail as cancelled.
    public func shutdown() {
        loop.shutdown()
    }
}
