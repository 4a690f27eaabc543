import FeedModel
public import Foundation

/// Serves files with ETag and Last-Modified derived from their bytes, answering conditional requests with 304.
public struct ConditionalFileResponder: Sendable {
    public let files: [String: [UInt8]]
    public let contentType: String

    public init(files: [String: [UInt8]], contentType: String = "application/xml") {
        self.files = files
        self.contentType = contentType
    }

    public func respond(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        guard let body = files[request.path] else { return .init(status: 404, text: "not found") }
        let etag = "\"\(Self.fingerprint(body))\""
        let lastModified = "Mon, 20 Sep 2021 10:00:00 GMT"
        if request.headers["if-none-match"] == etag || request.headers["if-modified-since"] == lastModified {
            return .init(status: 304, headers: [("ETag", etag), ("Last-Modified", lastModified)])
        }
        return .init(
            status: 200, headers: [("Content-Type", contentType), ("ETag", etag), ("Last-Modified", lastModified)],
            body: body)
    }

    static func fingerprint(_ bytes: [UInt8]) -> String {
        String(FNV1a64.hash(bytes), radix: 16)
    }
}

/// Paths to the shared test data beside the repository (`../shared`), found from this source file.
public enum SharedData {
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    }

    public static func realWorldFeed(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("feedconf/realworld/\(name)")))
    }

    /// The `items` column of feedconf/realworld/MANIFEST.tsv: how many entries each file holds.
    public static func manifestItemCounts() throws -> [String: Int] {
        let text = try String(contentsOf: root.appendingPathComponent("feedconf/realworld/MANIFEST.tsv"), encoding: .utf8)
        var lines = text.split(separator: "\n")
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false)
        guard let fileColumn = header.firstIndex(of: "file"), let itemsColumn = header.firstIndex(of: "items") else {
            return [:]
        }
        var counts: [String: Int] = [:]
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > max(fileColumn, itemsColumn), let count = Int(fields[itemsColumn]) else { continue }
            counts[String(fields[fileColumn])] = count
        }
        return counts
    }
}

/// gzip-compresses bytes with the system's gzip, for serving compressed responses.
public enum Gzip {
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", "-9"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}
