public import Foundation

/// Where Tidings looks for its configuration and store when no flag says otherwise. Both executables use
/// these, so `tidingsd` and `tidings` agree without flags.
public struct TidingsPaths: Sendable {
    public var environment: [String: String]
    public var currentDirectory: String

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    /// `./Feeds.yaml` if it exists, else `$XDG_CONFIG_HOME/tidings/Feeds.yaml` (`~/.config` when unset).
    public func configPath(explicit: String?) -> String {
        if let explicit { return explicit }
        let local = (currentDirectory as NSString).appendingPathComponent("Feeds.yaml")
        if FileManager.default.fileExists(atPath: local) { return local }
        return (xdgDirectory("XDG_CONFIG_HOME", fallback: ".config") as NSString)
            .appendingPathComponent("tidings/Feeds.yaml")
    }

    /// `--database`, else `$TIDINGS_DATABASE`, else `$XDG_STATE_HOME/tidings/tidings.sqlite`
    /// (`~/.local/state` when unset).
    public func databasePath(explicit: String?) -> String {
        if let explicit { return explicit }
        if let fromEnvironment = environment["TIDINGS_DATABASE"], !fromEnvironment.isEmpty { return fromEnvironment }
        return (xdgDirectory("XDG_STATE_HOME", fallback: ".local/state") as NSString)
            .appendingPathComponent("tidings/tidings.sqlite")
    }

    private func xdgDirectory(_ variable: String, fallback: String) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(fallback)
    }
}
