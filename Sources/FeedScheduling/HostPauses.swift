public import Foundation

/// Hosts that asked to be left alone (429/503 with Retry-After) and until when. Only that host's feeds wait;
/// other hosts are polled as usual.
public struct HostPauses: Sendable, Equatable {
    public private(set) var until: [String: Date] = [:]

    public init(until: [String: Date] = [:]) {
        self.until = until
    }

    /// Pauses `host` until `date` (a later pause already in force wins).
    public mutating func pause(_ host: String, until date: Date) {
        let key = host.lowercased()
        if let existing = until[key], existing >= date { return }
        until[key] = date
    }

    /// When `host` may be contacted again, or nil if it may be now.
    public func resumeDate(for host: String, now: Date) -> Date? {
        guard let date = until[host.lowercased()], date > now else { return nil }
        return date
    }
}

/// The latest outcome per host, to tell "this feed's server is down" from "this machine is offline": a network
/// failure counts against a feed only while some other host still answers.
public struct ConnectivityLedger: Sendable, Equatable {
    private var lastOutcome: [String: (reachable: Bool, at: Date)] = [:]
    /// Outcomes older than this say nothing about the network now.
    public var memorySeconds: Double = 24 * 3600

    public init() {}

    public mutating func record(host: String, reachable: Bool, at date: Date) {
        lastOutcome[host.lowercased()] = (reachable, date)
    }

    /// True when every other host heard from recently was unreachable too, so that this failure is more likely
    /// this machine's network than the feed's server. With no other host to compare with, it is the feed's.
    public func looksOffline(excluding host: String, now: Date) -> Bool {
        let others = lastOutcome.filter { $0.key != host.lowercased() && now.timeIntervalSince($0.value.at) <= memorySeconds }
        return !others.isEmpty && others.values.allSatisfy { !$0.reachable }
    }

    public static func == (lhs: ConnectivityLedger, rhs: ConnectivityLedger) -> Bool {
        lhs.lastOutcome.mapValues { "\($0.reachable)@\($0.at.timeIntervalSince1970)" }
            == rhs.lastOutcome.mapValues { "\($0.reachable)@\($0.at.timeIntervalSince1970)" }
    }
}

/// Orders work so that consecutive items go to different hosts (round robin over hosts, keeping each host's
/// own order): a bounded window of polls then keeps many hosts busy instead of queueing behind one host's
/// connection limit.
public enum HostInterleaving {
    public static func order<Item>(_ items: [Item], host: (Item) -> String) -> [Item] {
        var groups: [[Item]] = []
        var groupIndex: [String: Int] = [:]
        for item in items {
            let key = host(item)
            if let index = groupIndex[key] {
                groups[index].append(item)
            } else {
                groupIndex[key] = groups.count
                groups.append([item])
            }
        }
        var ordered: [Item] = []
        ordered.reserveCapacity(items.count)
        var round = 0
        while ordered.count < items.count {
            for group in groups where round < group.count { ordered.append(group[round]) }
            round += 1
        }
        return ordered
    }
}
