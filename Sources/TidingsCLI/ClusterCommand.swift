import ArgumentParser
import FeedParsing
import Foundation
import StoryClustering

/// `tidings cluster`: the production story clustering over a JSONL stream, for measuring it.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster a JSONL stream of items into stories with the daemon's clustering.",
        discussion: """
            Reads {id, title, summary, source, published} per line, in file order, from a fresh state, and writes \
            {id, cluster} per line (the final story of each item, after merges). Score the output with \
            ../shared/clusterdata/evaluate.py.
            """)

    @Option(help: "The items, one JSON object per line.")
    var input: String

    @Option(help: "Where to write {id, cluster} lines (default: standard output).")
    var output: String?

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: input) else {
            throw CLIError(message: "cannot read \(input)")
        }
        var ids: [String] = []
        var items: [ClusterItem] = []
        let decoder = JSONDecoder()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            let record: InputItem
            do {
                record = try decoder.decode(InputItem.self, from: Data(line))
            } catch {
                throw CLIError(message: "\(input):\(lineNumber): not an item object: \(Self.describe(error))")
            }
            var published: Date?
            if let text = record.published {
                guard let date = FeedDate.parse(text) else {
                    throw CLIError(message: "\(input):\(lineNumber): 'published' is not a date: '\(text)'")
                }
                published = date
            }
            ids.append(record.id.text)
            items.append(ClusterItem(title: record.title, summary: record.summary, source: record.source, published: published))
        }
        let started = ContinuousClock.now
        let labels = StoryClusterer.cluster(items)
        let elapsed = started.duration(to: .now)
        var text = ""
        text.reserveCapacity(ids.count * 48)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (id, label) in zip(ids, labels) {
            text += String(decoding: try encoder.encode(OutputItem(id: id, cluster: label)), as: UTF8.self) + "\n"
        }
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(message: "cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        FileHandle.standardError.write(
            Data(
                String(
                    format: "%d items, %d stories, %.2f s (%.0f items/s)\n", items.count, Set(labels).count, seconds,
                    Double(items.count) / max(seconds, 1e-9)
                ).utf8))
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.keyNotFound(let key, _) = error { return "missing '\(key.stringValue)'" }
        if case DecodingError.typeMismatch(_, let context) = error {
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        }
        return "invalid JSON"
    }

    private struct InputItem: Decodable {
        var id: FlexibleID
        var title: String?
        var summary: String?
        var source: String?
        var published: String?
    }

    /// Ids may be strings or numbers.
    private struct FlexibleID: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else {
                text = String(try container.decode(Int64.self))
            }
        }
    }

    private struct OutputItem: Encodable {
        var id: String
        var cluster: Int64
    }
}
