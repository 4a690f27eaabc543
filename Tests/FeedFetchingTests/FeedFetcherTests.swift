@testable import FeedFetching
import Foundation
import TestSupport
import Testing

@Suite struct FeedFetcherTests {
    let fetcher = FeedFetcher(maxConcurrent: 8, maxPerHost: 2)
    let feedBody = Array("<rss version=\"2.0\"><channel><title>T</title></channel></rss>".utf8)

    private func request(_ url: String, limits: FetchLimits = FetchLimits()) -> FetchRequest {
        FetchRequest(url: url, userAgent: "TidingsTests/1.0", limits: limits)
    }

    @Test func conditionalGetRoundTrip() async throws {
        let responder = ConditionalFileResponder(files: ["/feed.xml": feedBody])
        let server = try LoopbackHTTPServer { responder.respond(to: $0) }
        let first = try await fetcher.fetch(request(server.baseURL + "/feed.xml")).get()
        #expect(first.status == 200)
        #expect(Array(first.body) == feedBody)
        let etag = try #require(first.etag)
        let lastModified = try #require(first.lastModified)

        var conditional = request(server.baseURL + "/feed.xml")
        conditional.etag = etag
        conditional.lastModified = lastModified
        let second = try await fetcher.fetch(conditional).get()
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
        #expect(second.etag == etag, "validators come back on 304 too")

        let seen = server.requests
        #expect(seen.count == 2)
        #expect(seen[0].headers["if-none-match"] == nil)
        #expect(seen[1].headers["if-none-match"] == etag)
        #expect(seen[1].headers["if-modified-since"] == lastModified)
        #expect(seen[0].headers["user-agent"] == "TidingsTests/1.0")
        #expect(seen[0].headers["accept-encoding"]?.contains("gzip") == true)
    }

    @Test func decompressesGzip() async throws {
        let compressed = try Gzip.compress(feedBody)
        let server = try LoopbackHTTPServer { _ in
            .init(status: 200, headers: [("Content-Encoding", "gzip"), ("Content-Type", "application/rss+xml")], body: compressed)
        }
        let response = try await fetcher.fetch(request(server.baseURL + "/")).get()
        #expect(Array(response.body) == feedBody)
        #expect(response.contentType == "application/rss+xml")
    }

    @Test func followsRedirectChain() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/a": return .init(status: 301, headers: [("Location", "/b")], text: "")
            case "/b": return .init(status: 302, headers: [("Location", "/c")], text: "")
            default: return .init(status: 200, body: body)
            }
        }
        let response = try await fetcher.fetch(request(server.baseURL + "/a")).get()
        #expect(response.status == 200)
        #expect(response.redirectCount == 2)
        #expect(response.effectiveURL == server.baseURL + "/c")
        #expect(response.redirectStatuses == [301, 302])
        #expect(response.permanentRedirectTarget == nil, "a temporary hop means the old URL stays right")
    }

    @Test func permanentRedirectChainNamesItsTarget() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/a": return .init(status: 301, headers: [("Location", "/b")], text: "")
            case "/b": return .init(status: 308, headers: [("Location", "/c")], text: "")
            default: return .init(status: 200, body: body)
            }
        }
        let response = try await fetcher.fetch(request(server.baseURL + "/a")).get()
        #expect(response.redirectStatuses == [301, 308])
        #expect(response.permanentRedirectTarget == server.baseURL + "/c")
    }

    @Test func sendsExtraHeadersAndBasicAuth() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer { _ in .init(status: 200, body: body) }
        var authed = request(server.baseURL + "/private")
        authed.extraHeaders = [("X-Api-Key", "k-123")]
        authed.credentials = BasicCredentials(username: "alice", password: "s3cret")
        #expect("\(authed.credentials!)" == "alice:(hidden)", "the password never reaches a log line")
        _ = try await fetcher.fetch(authed).get()
        let seen = try #require(server.requests.first)
        #expect(seen.headers["x-api-key"] == "k-123")
        #expect(seen.headers["authorization"] == "Basic " + Data("alice:s3cret".utf8).base64EncodedString())
    }

    @Test func redirectLoopIsBounded() async throws {
        let server = try LoopbackHTTPServer { request in
            .init(status: 302, headers: [("Location", request.path == "/a" ? "/b" : "/a")], text: "")
        }
        let result = await fetcher.fetch(request(server.baseURL + "/a", limits: FetchLimits(maxRedirects: 5)))
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.kind == .tooManyRedirects)
        #expect(error.message.hasPrefix("more than 5 redirects"))
        #expect(server.requests.count == 6)
    }

    @Test func redirectToFileIsRefused() async throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 301, headers: [("Location", "file:///etc/passwd")], text: "") }
        let result = await fetcher.fetch(request(server.baseURL + "/feed"))
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.kind == .protocolRefused)
        #expect(error.message == "redirect to file:// refused: only http and https are followed")
    }

    @Test func bodyCapWithContentLength() async throws {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        let server = try LoopbackHTTPServer { _ in .init(status: 200, body: big) }
        let result = await fetcher.fetch(request(server.baseURL + "/", limits: FetchLimits(maxBodyBytes: 100_000)))
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.kind == .bodyTooLarge)
        #expect(error.message.hasPrefix("response body exceeds the 100000 bytes limit"))
    }

    @Test func bodyCapWithoutContentLengthCountsDecompressedBytes() async throws {
        // 20 MB of zeros compress to about 20 KB: the cap must apply to what comes out, not what goes in.
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 20_000_000))
        #expect(bomb.count < 100_000)
        let server = try LoopbackHTTPServer { _ in
            .init(status: 200, headers: [("Content-Encoding", "gzip")], body: bomb, omitContentLength: true)
        }
        let result = await fetcher.fetch(request(server.baseURL + "/", limits: FetchLimits(maxBodyBytes: 1_000_000)))
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.kind == .bodyTooLarge)
    }

    @Test func stalledServerTimesOutWhileOthersComplete() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer { request in
            if request.path == "/stall" {
                return .init(status: 200, body: [UInt8](repeating: 32, count: 1000), stallAfterBytes: 10, stallSeconds: 5)
            }
            return .init(status: 200, body: body)
        }
        let limits = FetchLimits(totalTimeoutSeconds: 2)
        async let stalled = fetcher.fetch(request(server.baseURL + "/stall", limits: limits))
        var healthy: [Result<FetchResponse, FetchError>] = []
        for index in 0..<4 {
            healthy.append(await fetcher.fetch(request(server.baseURL + "/ok\(index)", limits: limits)))
        }
        #expect(healthy.allSatisfy { (try? $0.get().status) == 200 }, "\(healthy)")
        let stalledResult = await stalled
        guard case .failure(let error) = stalledResult else { Issue.record("expected a timeout"); return }
        #expect(error.kind == .timeout)
    }

    @Test func connectionRefusedIsAConnectionError() async throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 200, text: "") }
        let url = server.baseURL + "/"
        server.stop()
        let result = await fetcher.fetch(request(url))
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.kind == .connection)
        #expect(error.isNetworkUnavailable)
        #expect(error.url == url)
    }

    @Test func httpErrorsAreResponses() async throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 404, text: "no") }
        let response = try await fetcher.fetch(request(server.baseURL + "/missing")).get()
        #expect(response.status == 404)
    }

    @Test func perHostLimitIsNeverExceeded() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer { _ in
            Thread.sleep(forTimeInterval: 0.1)
            return .init(status: 200, body: body)
        }
        let results = await withTaskGroup(of: Result<FetchResponse, FetchError>.self) { group in
            for index in 0..<10 {
                group.addTask { await fetcher.fetch(request(server.baseURL + "/\(index)")) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 10)
        #expect(results.allSatisfy { (try? $0.get().status) == 200 }, "\(results)")
        #expect(server.maxConcurrentConnections <= 2)
        #expect(server.maxConcurrentConnections >= 1)
    }

    /// The issue asks for connection reuse: a server that keeps connections open sees no more connections than the
    /// per-host limit, however many feeds of that host are fetched, at once or one after another.
    @Test func reusesConnectionsToAHost() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer(keepAlive: true) { _ in
            Thread.sleep(forTimeInterval: 0.02)
            return .init(status: 200, body: body)
        }
        let fetcher = FeedFetcher(maxConcurrent: 8, maxPerHost: 2)
        let concurrent = await withTaskGroup(of: Result<FetchResponse, FetchError>.self) { group in
            for index in 0..<12 {
                group.addTask { await fetcher.fetch(request(server.baseURL + "/\(index)")) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(concurrent.allSatisfy { (try? $0.get().status) == 200 }, "\(concurrent)")
        for index in 0..<4 {
            let response = try await fetcher.fetch(request(server.baseURL + "/later/\(index)")).get()
            #expect(Array(response.body) == body)
        }
        #expect(server.requests.count == 16)
        #expect(server.acceptedConnections >= 1)
        #expect(server.acceptedConnections <= 2, "16 requests to one host took \(server.acceptedConnections) connections")
        // Stopping ends the kept connections too: nothing answers any more.
        server.stop()
        let afterStop = await fetcher.fetch(request(server.baseURL + "/after-stop"))
        #expect((try? afterStop.get()) == nil, "a stopped server answered: \(afterStop)")
        #expect(server.requests.count == 16)
    }

    /// More hosts than transfers at once, polled round the hosts as a cycle does: each host's connection waits in
    /// libcurl's cache for its next feed, instead of being closed to make room for other hosts' connections.
    @Test func connectionsWaitForTheirHostsNextFeedAcrossManyHosts() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer(keepAlive: true) { _ in .init(status: 200, body: body) }
        let fetcher = FeedFetcher(maxConcurrent: 2, maxPerHost: 1)
        // hN.localhost: names libcurl resolves to 127.0.0.1 itself; each is a host of its own to its connection cache.
        for round in 0..<3 {
            for host in 0..<10 {
                let url = "http://h\(host).localhost:\(server.port)/\(round)"
                #expect((try? await fetcher.fetch(request(url)).get().status) == 200, "\(url)")
            }
        }
        #expect(server.requests.count == 30)
        #expect(server.acceptedConnections == 10, "30 requests to 10 hosts took \(server.acceptedConnections) connections")
    }

    /// The idle connection cache is a quarter of the open files allowed, within bounds.
    @Test func idleConnectionsAreAQuarterOfTheOpenFileLimit() {
        #expect(CurlMultiLoop.idleConnectionCache(openFileLimit: 1024) == 256)
        #expect(CurlMultiLoop.idleConnectionCache(openFileLimit: 65_536) == 4096)
        #expect(CurlMultiLoop.idleConnectionCache(openFileLimit: Int.max) == 4096)
        #expect(CurlMultiLoop.idleConnectionCache(openFileLimit: 40) == 16)
        #expect(CurlMultiLoop.openFileLimit >= 16)
    }

    /// A server that closes every connection gets a new one per request (what the reuse test tells apart).
    @Test func aClosingServerSeesAConnectionPerRequest() async throws {
        let body = feedBody
        let server = try LoopbackHTTPServer { _ in .init(status: 200, body: body) }
        for index in 0..<3 {
            _ = try await fetcher.fetch(request(server.baseURL + "/\(index)")).get()
        }
        #expect(server.acceptedConnections == 3)
    }

    @Test func rejectsNonHTTPURLs() async {
        let result = await fetcher.fetch(request("file:///etc/passwd"))
        guard case .failure(let error) = result else { Issue.record("expected an error"); return }
        #expect(error.kind == .invalidURL)
    }
}

/// Header lines as libcurl hands them over: status lines with and without a reason phrase, names in any case,
/// optional whitespace around values, and a new response (after a redirect) forgetting the previous headers.
@Suite struct HeaderLineTests {
    func receive(_ lines: [String], into transfer: Transfer) {
        for line in lines { Array(line.utf8).withUnsafeBytes { transfer.receiveHeader($0) } }
    }

    @Test func statusLinesAndHeadersAreReadFromTheBytes() {
        let transfer = Transfer(request: FetchRequest(url: "http://127.0.0.1/", userAgent: "T"), hostKey: "127.0.0.1")
        receive(
            ["HTTP/1.1 301 Moved Permanently\r\n", "Location: /b\r\n", "X-Old: 1\r\n", "\r\n", "HTTP/1.1 100 Continue\r\n",
             "HTTP/2 200 \r\n", "ETag:\t\"v1\" \r\n", "Last-MODIFIED:Mon, 02 Nov 2026 10:00:00 GMT\r\n",
             "content-type: text/xml; charset=utf-8\r\n", ": no name\r\n", "no colon\r\n", "X-Empty:\r\n", "\r\n"],
            into: transfer)
        #expect(transfer.statuses == [301, 200])
        #expect(
            transfer.headers == [
                "etag": "\"v1\"", "last-modified": "Mon, 02 Nov 2026 10:00:00 GMT",
                "content-type": "text/xml; charset=utf-8", "x-empty": "",
            ])
        receive(["HTTP/3 404\r\n"], into: transfer)
        #expect(transfer.statuses == [301, 200, 404])
        #expect(transfer.headers.isEmpty)
    }
}
