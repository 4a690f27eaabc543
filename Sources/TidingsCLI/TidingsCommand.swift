public import ArgumentParser
import FeedConfig
import Foundation

/// The `tidings` command line: reads the store the daemon writes, and inspects feeds.
public struct TidingsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tidings",
        abstract: "Read the news Tidings has collected, and manage its feeds.",
        version: TidingsVersion.current,
        subcommands: [
            StoriesCommand.self, StoryCommand.self, EntriesCommand.self, SearchCommand.self, FeedsCommand.self,
            StatusCommand.self, ConfigCommand.self,
            ClusterCommand.self,
            ParseCommand.self,
        ])

    public init() {}
}

/// Options every store-reading command shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The store to read (default: $TIDINGS_DATABASE, else $XDG_STATE_HOME/tidings/tidings.sqlite).")
    var database: String?

    func databasePath() -> String { TidingsPaths().databasePath(explicit: database) }
}

/// A failure the CLI reports as `tidings: message` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs the CLI and returns its exit status: 0 ok, 1 error, 2 usage.
public enum TidingsMain {
    public static func run(_ arguments: [String]) async -> Int32 {
        do {
            var command = try TidingsCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("tidings: \(error.message)\n".utf8))
            return 1
        } catch {
            let code = TidingsCommand.exitCode(for: error)
            if code == .success {
                print(TidingsCommand.fullMessage(for: error))
                return 0
            }
            FileHandle.standardError.write(Data((TidingsCommand.fullMessage(for: error) + "\n").utf8))
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}
