import FeedScheduling
import Foundation
import Synchronization

/// What concurrent polls share: the hosts that asked to be left alone, and which hosts answered lately (to tell
/// a dead server from this machine being offline).
final class PollingEnvironment: Sendable {
    private let pauses: Mutex<HostPauses>
    private let connectivity = Mutex(ConnectivityLedger())
    private let heldBack = Mutex<[Int64: Date]>([:])

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

    /// Keeps a feed whose state could not be saved from being polled again before `date`.
    func holdBack(_ feedID: Int64, until date: Date) {
        heldBack.withLock { $0[feedID] = date }
    }

    func clearSaveFailure(_ feedID: Int64) {
        heldBack.withLock { _ = $0.removeValue(forKey: feedID) }
    }

    /// When a held-back feed may be polled again, nil if it is not held back.
    func heldBackUntil(_ feedID: Int64) -> Date? {
        heldBack.withLock { $0[feedID] }
    }

    func looksOffline(excluding host: String, now: Date) -> Bool {
        connectivity.withLock { $0.looksOffline(excluding: host, now: now) }
    }
}
