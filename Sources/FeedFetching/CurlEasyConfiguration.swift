internal import CCurl
import Foundation

/// Builds the easy handle for one transfer: protocols, redirects, limits, compression, conditional GET.
enum CurlEasyConfiguration {
    static let acceptHeader =
        "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
        + "application/xml;q=0.9, text/xml;q=0.8, application/json;q=0.7, */*;q=0.5"

    /// A configured handle whose callbacks point at `transfer` (retained until the loop releases it).
    static func makeHandle(for transfer: Transfer) -> UnsafeMutableRawPointer? {
        guard let easy = curl_easy_init() else { return nil }
        let request = transfer.request
        let limits = request.limits
        _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, limits.maxRedirects)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        _ = ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, limits.connectTimeoutSeconds)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT, limits.totalTimeoutSeconds)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, limits.lowSpeedBytesPerSecond)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, limits.lowSpeedSeconds)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_MAXFILESIZE, limits.maxBodyBytes)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // Waiting for a connection to the same host lets HTTP/2 multiplex; it only exists over TLS (ALPN), and
        // for plain HTTP it would make a transfer wait behind a stalled HTTP/1.1 connection.
        if request.url.lowercased().hasPrefix("https:") { _ = ccurl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1) }
        _ = ccurl_easy_setopt_string(easy, CURLOPT_USERAGENT, request.userAgent)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        if let credentials = request.credentials {
            // Basic only, and (libcurl's default) only to the host first asked: a redirect elsewhere goes without.
            _ = ccurl_easy_setopt_long(easy, CURLOPT_HTTPAUTH, 1)  // CURLAUTH_BASIC (a macro Swift cannot import)
            _ = ccurl_easy_setopt_string(easy, CURLOPT_USERNAME, credentials.username)
            _ = ccurl_easy_setopt_string(easy, CURLOPT_PASSWORD, credentials.password)
        }

        var headers: [String] = ["Accept: \(acceptHeader)"]
        if let etag = request.etag, !etag.isEmpty { headers.append("If-None-Match: \(etag)") }
        if let lastModified = request.lastModified, !lastModified.isEmpty {
            headers.append("If-Modified-Since: \(lastModified)")
        }
        for (name, value) in request.extraHeaders { headers.append("\(name): \(value)") }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        transfer.headerList = list
        _ = ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

        let context = Unmanaged.passRetained(transfer).toOpaque()
        _ = ccurl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ccurl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        transfer.easy = easy
        return easy
    }
}

private let writeCallback: ccurl_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let headerCallback: ccurl_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
