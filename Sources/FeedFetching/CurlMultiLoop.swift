internal import CCurl
import Foundation
import Synchronization

private let curlGlobalInit: Void = {
    curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// The thread that owns a `CURLM*` and every easy handle in it.
///
/// `@unchecked Sendable`: other threads only touch `inbox` (under its mutex) and call `curl_multi_wakeup`,
/// which libcurl documents as thread-safe. Everything else is confined to the loop thread, asserted with
/// `assertOnLoopThread()`.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var submitted: [Transfer] = []
        var cancelled: [ObjectIdentifier] = []
        var stopping = false
        var stopped = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let maxConcurrent: Int
    private let maxPerHost: Int
    private var thread: Thread?

    // Loop-thread state.
    private var waiting: [Transfer] = []
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var activePerHost: [String: Int] = [:]

    /// How many idle connections libcurl keeps open for reuse: a quarter of the open files the process may have
    /// (256 under the usual soft limit of 1,024; `tidingsd` raises that limit at start), at most 4,096.
    static func idleConnectionCache(openFileLimit: Int) -> Int {
        max(16, min(4096, openFileLimit / 4))
    }

    /// The process's soft limit on open files (1,024 if it cannot be read).
    static var openFileLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    init(maxConcurrent: Int, maxPerHost: Int) {
        _ = curlGlobalInit
        self.maxConcurrent = maxConcurrent
        self.maxPerHost = maxPerHost
        multi = curl_multi_init()
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxPerHost)
        // Transfers are admitted `maxConcurrent` at a time (`startAdmissible`); connections outlive them in libcurl's
        // cache for the host's next feed. A cycle goes round the hosts (HostInterleaving), so a cache as small as the
        // transfer limit closed every connection before its host came round again: a new connection (and TLS
        // handshake) per feed. Open connections stay bounded: the admitted transfers plus the idle cache.
        let idle = Self.idleConnectionCache(openFileLimit: Self.openFileLimit)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, idle)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConcurrent + idle)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "tidings-curl"
        self.thread = thread
        thread.start()
    }

    func submit(_ transfer: Transfer) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopping else { return false }
            inbox.submitted.append(transfer)
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.resume(
                with: .failure(FetchError(kind: .cancelled, url: transfer.request.url, message: "the fetcher is shut down")))
        }
    }

    func cancel(_ transfer: Transfer) {
        inbox.withLock { $0.cancelled.append(ObjectIdentifier(transfer)) }
        curl_multi_wakeup(multi)
    }

    /// Cancels all transfers and waits for the thread to finish.
    func shutdown() {
        let alreadyStopping = inbox.withLock { inbox -> Bool in
            defer { inbox.stopping = true }
            return inbox.stopping
        }
        if !alreadyStopping { curl_multi_wakeup(multi) }
        while !inbox.withLock({ $0.stopped }) {
            if Thread.current == thread { return }
            usleep(1000)
        }
    }

    // MARK: - Loop thread

    private func run() {
        // Signals (SIGHUP reloads, SIGCHLD, SIGTERM) are handled elsewhere; one landing on this thread would
        // interrupt poll() inside libcurl and fail a healthy transfer with "select/poll returned error".
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        pthread_sigmask(SIG_BLOCK, &allSignals, nil)
        var running: Int32 = 0
        while true {
            let (submitted, cancelled, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.submitted.removeAll()
                    inbox.cancelled.removeAll()
                }
                return (inbox.submitted, inbox.cancelled, inbox.stopping)
            }
            waiting.append(contentsOf: submitted)
            if stopping {
                abortAll(message: "the fetcher is shutting down")
                break
            }
            for identifier in cancelled { abort(identifier) }
            startAdmissible()
            curl_multi_perform(multi, &running)
            collectFinished()
            if !waiting.isEmpty { startAdmissible() }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        curl_multi_cleanup(multi)
        inbox.withLock { $0.stopped = true }
    }

    private func startAdmissible() {
        guard !waiting.isEmpty else { return }
        var stillWaiting: [Transfer] = []
        for transfer in waiting {
            let hostCount = activePerHost[transfer.hostKey, default: 0]
            guard active.count < maxConcurrent, hostCount < maxPerHost else {
                stillWaiting.append(transfer)
                continue
            }
            guard let easy = CurlEasyConfiguration.makeHandle(for: transfer) else {
                transfer.resume(
                    with: .failure(FetchError(kind: .other, url: transfer.request.url, message: "libcurl could not create a handle")))
                continue
            }
            active[easy] = transfer
            activePerHost[transfer.hostKey] = hostCount + 1
            curl_multi_add_handle(multi, easy)
        }
        waiting = stillWaiting
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active[easy]
            else { continue }
            let code = ccurl_message_result(message)
            let result = CurlOutcome.result(of: transfer, easy: easy, code: code)
            finish(transfer, easy: easy, with: result)
        }
    }

    private func finish(_ transfer: Transfer, easy: UnsafeMutableRawPointer, with result: Result<FetchResponse, FetchError>) {
        curl_multi_remove_handle(multi, easy)
        curl_easy_cleanup(easy)
        if let list = transfer.headerList { curl_slist_free_all(list) }
        transfer.headerList = nil
        transfer.easy = nil
        active[easy] = nil
        let count = activePerHost[transfer.hostKey, default: 1] - 1
        activePerHost[transfer.hostKey] = count > 0 ? count : nil
        Unmanaged.passUnretained(transfer).release()
        transfer.resume(with: result)
    }

    private func abort(_ identifier: ObjectIdentifier) {
        if let index = waiting.firstIndex(where: { ObjectIdentifier($0) == identifier }) {
            let transfer = waiting.remove(at: index)
            transfer.resume(with: .failure(FetchError(kind: .cancelled, url: transfer.request.url, message: "cancelled")))
            return
        }
        if let (easy, transfer) = active.first(where: { ObjectIdentifier($0.value) == identifier }) {
            finish(transfer, easy: easy, with: .failure(FetchError(kind: .cancelled, url: transfer.request.url, message: "cancelled")))
        }
    }

    private func abortAll(message: String) {
        for transfer in waiting {
            transfer.resume(with: .failure(FetchError(kind: .cancelled, url: transfer.request.url, message: message)))
        }
        waiting.removeAll()
        for (easy, transfer) in active {
            finish(transfer, easy: easy, with: .failure(FetchError(kind: .cancelled, url: transfer.request.url, message: message)))
        }
        inbox.withLock { inbox in
            for transfer in inbox.submitted {
                transfer.resume(with: .failure(FetchError(kind: .cancelled, url: transfer.request.url, message: message)))
            }
            inbox.submitted.removeAll()
        }
    }
}
