import ArgumentParser
import FeedConfig
import Foundation

/// `tidings config check`: validates Feeds.yaml the way tidingsd will read it.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with Feeds.yaml.", subcommands: [ConfigCheckCommand.self])
}

struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check Feeds.yaml: every problem is reported with its line and column; exit status 1 if any.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let path = options.configPath()
        do {
            let configuration = try ConfigLoader.load(path: path)
            let disabled = configuration.feeds.count - configuration.enabledFeeds.count
            print("\(path): ok, \(configuration.feeds.count) feeds\(disabled > 0 ? " (\(disabled) disabled)" : "")")
        } catch {
            throw CLIError(message: error.description)
        }
    }
}
