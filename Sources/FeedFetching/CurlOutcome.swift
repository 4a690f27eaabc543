internal import CCurl
import Foundation

/// Turns a finished easy handle into a response or a specific, actionable error.
enum CurlOutcome {
    static func result(of transfer: Transfer, easy: UnsafeMutableRawPointer, code: CURLcode)
        -> Result<FetchResponse, FetchError>
    {
        let url = transfer.request.url
        let limits = transfer.request.limits
        var redirects = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_REDIRECT_COUNT, &redirects)
        var effective: UnsafeMutablePointer<CChar>?
        _ = ccurl_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &effective)
        let effectiveURL = effective.map { String(cString: $0) } ?? url
        let detail = String(cString: transfer.errorBuffer)

        func failure(_ kind: FetchError.Kind, _ message: String) -> Result<FetchResponse, FetchError> {
            .failure(FetchError(kind: kind, url: url, message: message))
        }

        switch code {
        case CURLE_OK:
            var status = 0
            _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            var response = FetchResponse(
                status: status, effectiveURL: effectiveURL, redirectCount: redirects, headers: transfer.headers,
                body: transfer.body)
            response.redirectStatuses = Array(transfer.statuses.dropLast().filter { (300..<400).contains($0) })
            return .success(response)
        case CURLE_WRITE_ERROR where transfer.bodyLimitExceeded, CURLE_FILESIZE_EXCEEDED:
            return failure(
                .bodyTooLarge,
                "response body exceeds the \(ByteCountText.describe(limits.maxBodyBytes)) limit (counted after "
                    + "decompression); raise defaults.max_body_size if this feed is really that large")
        case CURLE_COULDNT_RESOLVE_HOST:
            return failure(.dns, "could not resolve the host name (\(detail.isEmpty ? "DNS lookup failed" : detail))")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return failure(.dns, "could not resolve the proxy (\(detail))")
        case CURLE_COULDNT_CONNECT:
            return failure(.connection, "could not connect (\(detail.isEmpty ? "connection refused" : detail))")
        case CURLE_OPERATION_TIMEDOUT:
            if detail.lowercased().contains("too slow") {
                return failure(
                    .timeout,
                    "transfer stalled: under \(limits.lowSpeedBytesPerSecond) bytes/s for \(limits.lowSpeedSeconds) s")
            }
            if detail.lowercased().contains("connect") || detail.lowercased().contains("connection") {
                return failure(.timeout, "connection timed out after \(limits.connectTimeoutSeconds) s")
            }
            return failure(.timeout, "timed out after \(limits.totalTimeoutSeconds) s (\(detail))")
        case CURLE_TOO_MANY_REDIRECTS:
            return failure(
                .tooManyRedirects, "more than \(limits.maxRedirects) redirects (stopped at \(effectiveURL)); a redirect loop?")
        case CURLE_UNSUPPORTED_PROTOCOL:
            let scheme = quotedScheme(in: detail) ?? "another protocol"
            if redirects > 0 || !url.lowercased().hasPrefix(scheme) {
                return failure(.protocolRefused, "redirect to \(scheme):// refused: only http and https are followed")
            }
            return failure(.protocolRefused, "\(scheme):// is not supported: only http and https")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE:
            return failure(.tls, "TLS failed: \(detail)")
        case CURLE_GOT_NOTHING:
            return failure(.connection, "the server closed the connection without a response")
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return failure(.connection, "the connection broke mid-transfer (\(detail))")
        case CURLE_BAD_CONTENT_ENCODING:
            return failure(.other, "the response's compression is broken (\(detail))")
        case CURLE_URL_MALFORMAT:
            return failure(.invalidURL, "malformed URL (\(detail))")
        default:
            let name = String(cString: curl_easy_strerror(code))
            return failure(.other, "libcurl error \(code.rawValue): \(name)\(detail.isEmpty ? "" : " (\(detail))")")
        }
    }

    /// The protocol name in libcurl's `Protocol "file" not supported or disabled in libcurl`.
    private static func quotedScheme(in detail: String) -> String? {
        let parts = detail.split(separator: "\"")
        guard parts.count >= 2 else { return nil }
        return parts[1].lowercased()
    }
}

/// `16 MiB`, `512 KiB`, `900 bytes`.
enum ByteCountText {
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}
