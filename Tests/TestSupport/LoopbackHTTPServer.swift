public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP/1.1 server on 127.0.0.1 for tests: one thread accepts, one thread per connection answers with
/// whatever the handler returns, then closes the connection — or, with `keepAlive`, waits for the connection's next
/// request, as web servers do. It records every request it sees, the connections it accepted and the highest number
/// of requests it was handling at once.
public final class LoopbackHTTPServer: Sendable {
    /// A request as the server saw it. Header names are lower-cased.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var receivedAt: Date
        /// "HTTP/1.1" or "HTTP/1.0" as the request line says (empty if it says nothing).
        public var version: String
    }

    /// What to answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// Send the headers and this many body bytes, then stop sending (a stalled server) for `stallSeconds`.
        public var stallAfterBytes: Int?
        public var stallSeconds: Double
        /// Omit Content-Length (the body ends when the connection closes).
        public var omitContentLength: Bool

        public init(
            status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], stallAfterBytes: Int? = nil,
            stallSeconds: Double = 0, omitContentLength: Bool = false
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.stallAfterBytes = stallAfterBytes
            self.stallSeconds = stallSeconds
            self.omitContentLength = omitContentLength
        }

        public init(status: Int = 200, headers: [(String, String)] = [], text: String) {
            self.init(status: status, headers: headers, body: Array(text.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    private struct State {
        var requests: [Request] = []
        var openConnections = 0
        var maxOpenConnections = 0
        var acceptedConnections = 0
        /// Connections being served: `stop()` ends kept-alive ones too.
        var liveConnections = Set<Int32>()
        var stopped = false
    }

    private let listener: Int32
    public let port: Int
    private let handler: Handler
    private let keepAlive: Bool
    private let state = Mutex(State())

    /// Binds to 127.0.0.1 on a free port and starts serving. `keepAlive`: keep each connection open for further
    /// requests (a response without Content-Length, a stalled one, or a client's `Connection: close` still closes it).
    public init(keepAlive: Bool = false, handler: @escaping Handler) throws {
        self.handler = handler
        self.keepAlive = keepAlive
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ServerError(message: "socket() failed: errno \(errno)") }
        var reuse: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socketFD, 128) == 0 else {
            close(socketFD)
            throw ServerError(message: "bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        listener = socketFD
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request served so far, in arrival order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The most requests that were being handled at the same time.
    public var maxConcurrentConnections: Int { state.withLock { $0.maxOpenConnections } }

    /// The connections accepted so far (with `keepAlive`, fewer than the requests when clients reuse them).
    public var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }

    /// Stops accepting connections. The accept thread closes the socket itself: closing it here could hand
    /// its descriptor number to another server while this thread still calls accept() on it.
    /// Idempotent: a second call must not shut down whatever socket has since reused the descriptor number.
    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        // Each serving thread closes its own descriptor (after leaving the set, under the lock), so these are open.
        state.withLock { state in
            for connection in state.liveConnections { shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            state.withLock {
                $0.acceptedConnections += 1
                $0.liveConnections.insert(connection)
            }
            // As web servers do on kept-alive connections: a response's last segment is sent at once, not held back
            // (Nagle) until the client's delayed acknowledgement of the previous one, 40 ms later.
            var noDelay: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    /// Counts requests being handled at once: from the moment a request has arrived until its response is
    /// ready to send. (Counting open sockets instead would see a client's next connection before this side's
    /// close of the previous one.)
    private func serve(_ connection: Int32) {
        defer {
            state.withLock {
                $0.liveConnections.remove(connection)
                close(connection)
            }
        }
        // Bytes received beyond the request being handled (the start of the next one).
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while let request = readRequest(connection, pending: &pending, chunk: &chunk) {
            state.withLock {
                $0.requests.append(request)
                $0.openConnections += 1
                $0.maxOpenConnections = max($0.maxOpenConnections, $0.openConnections)
            }
            let response = handler(request)
            state.withLock { $0.openConnections -= 1 }
            let persistent = keepAlive && !request.asksToClose && !response.omitContentLength && response.stallAfterBytes == nil
            guard write(response, to: connection, keepingAlive: persistent, withBody: Self.hasBody(request, response)),
                persistent
            else { return }
        }
    }

    /// The next request on `connection` (GET and HEAD: a head without body), starting with the `pending` bytes, which
    /// are left holding whatever came after it; `chunk` is the receive buffer. Nil when the client closed the
    /// connection or sent no valid request.
    private func readRequest(_ connection: Int32, pending buffer: inout [UInt8], chunk: inout [UInt8]) -> Request? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        while buffer.count < 64 * 1024 {
            if let end = buffer.firstOffset(of: terminator) {
                let request = Self.request(fromHead: buffer[..<end])
                buffer.removeFirst(end + terminator.count)
                return request
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
        return nil
    }

    /// A request head (request line and header lines, without the blank line that ends it), read as bytes: the
    /// server answers thousands of requests a second in the poll benchmark, where Foundation's string splitting and
    /// trimming made it a large share of the machine.
    static func request(fromHead head: ArraySlice<UInt8>) -> Request? {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), colon = UInt8(ascii: ":")
        func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var bytes = bytes
            while let first = bytes.first, first == space || first == tab { bytes.removeFirst() }
            while let last = bytes.last, last == space || last == tab { bytes.removeLast() }
            return bytes
        }
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: space)
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colonIndex = line.firstIndex(of: colon) else { continue }
            let name = line[..<colonIndex].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            headers[String(decoding: name, as: UTF8.self)] = text(trimmed(line[(colonIndex + 1)...]))
        }
        return Request(
            method: text(requestLine[0]), path: text(requestLine[1]), headers: headers, receivedAt: Date(),
            version: requestLine.count > 2 ? text(requestLine[2]) : "")
    }

    /// A HEAD request's response, and a 1xx, 204 or 304 response, end with their head (RFC 9112, section 6.3): a body
    /// sent anyway would be read as the start of the next response on a kept-alive connection.
    private static func hasBody(_ request: Request, _ response: Response) -> Bool {
        request.method != "HEAD" && !(100..<200).contains(response.status) && response.status != 204 && response.status != 304
    }

    /// Sends the response; false if the connection broke.
    private func write(_ response: Response, to connection: Int32, keepingAlive: Bool, withBody: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if !response.omitContentLength { head += "Content-Length: \(response.body.count)\r\n" }
        head += keepingAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        if let stallAfter = response.stallAfterBytes {
            guard sendAll(Array(head.utf8), to: connection) else { return false }
            _ = sendAll(Array(response.body.prefix(stallAfter)), to: connection)
            Thread.sleep(forTimeInterval: response.stallSeconds)
            return false
        }
        return sendAll(Array(head.utf8), withBody ? response.body : [], to: connection)
    }

    /// Sends `head`, then `body`, in as few calls as the socket takes (one `sendmsg` of both, without copying the
    /// body behind the head); false if the connection broke.
    private func sendAll(_ head: [UInt8], _ body: [UInt8] = [], to connection: Int32) -> Bool {
        let total = head.count + body.count
        var offset = 0
        while offset < total {
            let sent = head.withUnsafeBytes { head in
                body.withUnsafeBytes { body in
                    var parts: [iovec] = []
                    for (part, start) in [(head, offset), (body, offset - head.count)] where !part.isEmpty && start < part.count {
                        let skipped = max(start, 0)
                        parts.append(
                            iovec(iov_base: UnsafeMutableRawPointer(mutating: part.baseAddress! + skipped), iov_len: part.count - skipped))
                    }
                    return parts.withUnsafeMutableBufferPointer { parts in
                        var message = msghdr()
                        message.msg_iov = parts.baseAddress
                        message.msg_iovlen = parts.count
                        return sendmsg(connection, &message, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 500: return "Internal Server Error"
        default: return "Status"
        }
    }
}

extension LoopbackHTTPServer.Request {
    /// The client wants the connection closed after this request: a `close` token in Connection, or HTTP/1.0
    /// without `keep-alive`.
    var asksToClose: Bool {
        let tokens = (headers["connection"] ?? "").lowercased().split(separator: ",").map {
            $0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        }.map { String($0) }
        return tokens.contains("close") || (version == "HTTP/1.0" && !tokens.contains("keep-alive"))
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
