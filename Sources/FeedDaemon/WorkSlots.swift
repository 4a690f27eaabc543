import Synchronization

/// A fixed number of slots for CPU-bound work that concurrent tasks take turns at (an async counting semaphore):
/// a task waiting for a slot is suspended, never blocking its thread.
final class WorkSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(free: max(count, 1)))
    }

    /// Runs `work` once a slot is free, then frees it for the longest-waiting task.
    func run<T>(_ work: () throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try work()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
