import FeedStore
import Foundation

/// One daemon per store: an exclusive `flock` on `<store>.lock`, held for the life of the process (the kernel
/// releases it however the process ends, kill -9 included). The file records the holder's pid for the message
/// a second daemon prints.
final class StoreLock {
    private let descriptor: Int32
    let path: String

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    init(storePath: String) throws(Refused) {
        path = FeedStore.lockPath(forStore: storePath)
        // The first start on a machine: the store's directory (e.g. ~/.local/state/tidings) may not exist yet.
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw Refused(description: "cannot create the directory \(directory): \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Refused(description: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw Refused(
                description: "another tidingsd\(holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? "") is already running on "
                    + "the store \(storePath); stop it first (lock: \(path))")
        }
        descriptor = fd
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        close(descriptor)
    }
}
