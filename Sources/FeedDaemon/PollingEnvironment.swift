import FeedScheduling
import Foundation
import Synchronization

/// What concurrent polls share: the hosts that asked to be left alone, and which hosts answered lately (to tell
/// a dead server from this machine being offline).
final class PollingEnvironment: Sendable {
    private let pauses: Mutex<HostPauses>
    private let connectivity = Mutex(ConnectivityLedger())

    init(pauses: [String: Date] = [:]) {
        self.pauses = Mutex(HostPauses(until: pauses))
    }

    func resumeDate(for host: String, now: Date) -> Date? {
        pauses.withLock { $0.resumeDate(for: host, now: now) }
    }

    func pause(_ host: String, until date: Date) {
        pauses.withLock { $0.pause(host, until: date) }
    }

    func record(host: String, reachable: Bool, at date: Date) {
        connectivity.withLock { $0.record(host: host, reachable: reachable, at: date) }
    }

    func looksOffline(excluding host: String, now: Date) -> Bool {
        connectivity.withLock { $0.looksOffline(excluding: host, now: now) }
    }
}
