import Foundation

/// Runs the built executables the way a user would, capturing their output.
struct ProcessRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The directory holding `tidingsd` and `tidings`: the one `swift test` built this test bundle into.
    static let binaries: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("tidingsd").path) }
            ?? candidates[1]
    }()

    /// Runs `executable` with `arguments` and waits at most `timeout` seconds (then kills it and fails).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60
    ) throws -> Output {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let collector = OutputCollector(stdout: stdout, stderr: stderr)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw RunnerError(message: "\(executable) \(arguments) did not finish within \(timeout) s")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let (out, err) = collector.finish()
        return Output(status: process.terminationStatus, stdout: out, stderr: err)
    }

    /// Starts `executable` and returns the running process; output goes to the given pipes.
    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stderr: Pipe
    ) throws -> Process {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        return process
    }
}

/// Drains both pipes on background threads so a chatty process never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()

    /// - Parameter stdout: nil when the process's standard output is not a pipe.
    init(stdout: Pipe?, stderr: Pipe) {
        if let stdout {
            group.enter()
            DispatchQueue.global().async {
                self.out = stdout.fileHandleForReading.readDataToEndOfFile()
                self.group.leave()
            }
        }
        group.enter()
        DispatchQueue.global().async {
            self.err = stderr.fileHandleForReading.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func finish() -> (String, String) {
        group.wait()
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}

struct RunnerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
