import Foundation
import Testing

/// The shipped unit files pass `systemd-analyze verify` (with ExecStart pointed at the binary just built, since
/// verify checks that it exists). Scripts/install-packages installs systemd for this.
@Suite struct SystemdUnitTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: [("tidingsd.service", false), ("tidingsd.user.service", true)])
    func unitVerifies(_ name: String, _ user: Bool) throws {
        let analyzer = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyzer), "systemd-analyze is missing: run Scripts/install-packages")
        let directory = URL(fileURLWithPath: "/tmp/tidings-unit-\(UUID().uuidString.prefix(8))")
        let runtime = directory.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = ProcessRunner.binaries.appendingPathComponent("tidingsd").path
        var unit = try String(contentsOf: Self.repository.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
        unit = unit.replacingOccurrences(of: "/usr/local/bin/tidingsd", with: binary)
            .replacingOccurrences(of: "%h/.local/bin/tidingsd", with: binary)
        let copy = directory.appendingPathComponent(name.replacingOccurrences(of: ".user", with: "-user"))
        try unit.write(to: copy, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyzer)
        process.arguments = (user ? ["--user"] : []) + ["verify", copy.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["XDG_RUNTIME_DIR": runtime.path]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        // verify reports a bad setting as a warning and still exits 0: any output is a finding.
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(text)")
    }
}
