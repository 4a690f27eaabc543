import Testing

@testable import FeedConfig

@Suite struct ConfigLoaderTests {
    @Test func readsDefaultsAndFeeds() throws {
        let text = """
            # comment
            defaults:
              interval: 1h
              min_interval: 10m
              user_agent: "Test/1.0"
              timeout: 45s
              max_body_size: 2MiB
              max_redirects: 3
            feeds:
              - url: https://example.com/feed.xml
                title: Example
                tags: [world, tech]
                interval: 15m
              - url: http://example.org/rss
                enabled: false
            """
        let configuration = try ConfigLoader.parse(text, path: "Feeds.yaml")
        #expect(configuration.defaults.intervalSeconds == 3600)
        #expect(configuration.defaults.minimumIntervalSeconds == 600)
        #expect(configuration.defaults.userAgent == "Test/1.0")
        #expect(configuration.defaults.timeoutSeconds == 45)
        #expect(configuration.defaults.maxBodyBytes == 2 * 1024 * 1024)
        #expect(configuration.defaults.maxRedirects == 3)
        #expect(configuration.feeds.count == 2)
        #expect(configuration.feeds[0] == FeedSubscription(
            url: "https://example.com/feed.xml", title: "Example", tags: ["world", "tech"], intervalSeconds: 900,
            enabled: true, line: 10))
        #expect(configuration.feeds[1].enabled == false)
        #expect(configuration.enabledFeeds.map(\.url) == ["https://example.com/feed.xml"])
        #expect(configuration.interval(of: configuration.feeds[1]) == 3600)
    }

    @Test func readsHeadersAndAuthAsSecretReferences() throws {
        let text = """
            feeds:
              - url: https://private.example/feed
                headers:
                  X-Api-Key: {env: PRIVATE_KEY}
                  Accept-Language: en
                auth:
                  username: alice
                  password: {file: /etc/tidings/alice.pass}
            """
        let feed = try #require(try ConfigLoader.parse(text, path: "Feeds.yaml").feeds.first)
        #expect(feed.headers == [
            RequestHeader(name: "X-Api-Key", value: .secret(.environment("PRIVATE_KEY"))),
            RequestHeader(name: "Accept-Language", value: .literal("en")),
        ])
        #expect(feed.auth == BasicAuth(username: "alice", password: .file("/etc/tidings/alice.pass")))
        #expect("\(feed.auth!.password)" == "file /etc/tidings/alice.pass")
        #expect(throws: SecretError.self) { try SecretReference.environment("X").resolve(environment: [:]) }
        #expect(try SecretReference.environment("X").resolve(environment: ["X": "v"]) == "v")
    }

    @Test func emptyFileIsAnEmptyConfiguration() throws {
        #expect(try ConfigLoader.parse("# nothing yet\n", path: "Feeds.yaml") == FeedConfiguration())
    }

    /// YAML's null spellings leave a value unset; quoted, they are text. Keys match whatever their spelling.
    @Test func nullValuesAreUnsetAndQuotedNullIsText() throws {
        for null in ["", "~", "null", "Null", "NULL", "!!null x"] {
            let text = "defaults: \(null)\nfeeds:\n  - url: https://a.example/x\n    title: \(null)\n    tags: \(null)\n"
            let configuration = try ConfigLoader.parse(text, path: "Feeds.yaml")
            #expect(configuration.defaults == FeedDefaults(), "\(null)")
            #expect(configuration.feeds.map(\.title) == [nil], "\(null)")
            #expect(configuration.feeds.map(\.tags) == [[]], "\(null)")
        }
        let quoted = try ConfigLoader.parse(
            "feeds:\n  - url: https://a.example/x\n    title: \"null\"\n  - url: https://b.example/x\n    title: '~'\n  - 'url': https://c.example/x\n    \"title\": 123\n",
            path: "Feeds.yaml")
        #expect(quoted.feeds.map(\.title) == ["null", "~", "123"])
        #expect(try ConfigLoader.parse("feeds: ~\n", path: "Feeds.yaml") == FeedConfiguration())
    }

    /// `enabled` takes YAML's boolean spellings, unquoted; anything else (a quoted "false", "TrUe", 0) is refused.
    @Test func enabledTakesYAMLBooleanSpellings() throws {
        func enabled(_ value: String) -> Bool? {
            try? ConfigLoader.parse("feeds:\n  - url: https://a.example/x\n    enabled: \(value)\n", path: "Feeds.yaml")
                .feeds.first?.enabled
        }
        for value in ["true", "True", "TRUE", "yes", "Yes", "on", "ON", "!!bool true"] { #expect(enabled(value) == true, "\(value)") }
        for value in ["false", "False", "FALSE", "no", "NO", "off", "Off"] { #expect(enabled(value) == false, "\(value)") }
        for value in ["\"false\"", "'true'", "TrUe", "0", "1", "y", ""] { #expect(enabled(value) == nil, "\(value)") }
    }

    /// Each kind of mistake gets its own message, pointing at the line and column of the offending node.
    @Test(arguments: [
        ("feeds:\n  - url: https://a.example/x\n    titel: A\n", "Feeds.yaml:3:5: unknown key 'titel' in a feed; expected one of: url, title, tags, interval, enabled, headers, auth (did you mean 'title'?)"),
        ("feeds:\n  - url: https://a.example/x\n  - url: https://a.example/x\n", "Feeds.yaml:3:5: duplicate feed 'https://a.example/x': already listed on line 2"),
        ("feeds:\n  - url: ftp://a.example/x\n", "Feeds.yaml:2:10: url 'ftp://a.example/x' uses 'ftp'; only http:// and https:// feeds are supported"),
        ("feeds:\n  - url: https://a.example/x\n    interval: 5x\n", "Feeds.yaml:3:15: interval '5x' is not a duration; expected e.g. 90s, 30m, 2h or 1d"),
        ("feeds:\n  - url: https://a.example/x\n    interval: 1m\n", "Feeds.yaml:3:15: interval 1m is shorter than the minimum 5m; polling that often burdens the publisher (lower defaults.min_interval if you really mean it)"),
        ("feeds:\n  - url: https://a.example/x\n    enabled: maybe\n", "Feeds.yaml:3:14: 'enabled' must be true or false"),
        ("feeds:\n  - url: https://a.example/x\n    tags: {a: b}\n", "Feeds.yaml:3:11: 'tags' must be a list of words, e.g. tags: [world, tech]"),
        ("feeds:\n  - title: No URL\n", "Feeds.yaml:2:5: feed has no 'url'; every feed needs 'url: https://…'"),
        ("feeds: https://a.example/x\n", "Feeds.yaml:1:8: 'feeds' must be a list of feeds (lines starting with '- url: ...')"),
        ("feeds:\n  - https://a.example/x\n", "Feeds.yaml:2:5: a feed must be a mapping with a 'url' key, not 'https://a.example/x'; write '- url: https://a.example/x'"),
        ("defaults:\n  max_body_size: lots\n", "Feeds.yaml:2:18: max_body_size 'lots' is not a size of at least 1KiB; expected e.g. 512KiB, 16MiB or 10MB"),
        ("defaults:\n  interval: [1]\n", "Feeds.yaml:2:13: 'interval' must be a duration such as 30m, not a list"),
        ("feed:\n  - url: https://a.example/x\n", "Feeds.yaml:1:1: unknown key 'feed' at the top level; expected one of: defaults, feeds (did you mean 'feeds'?)"),
        ("feeds:\n  - url: https://a.example/x\n    url: https://b.example/y\n", "Feeds.yaml:2:5: duplicate key 'url'; each key may appear once in a mapping"),
        ("feeds:\n  - url: \"https://a.example/x\n", "Feeds.yaml:3:1: not valid YAML: while scanning a quoted scalar: found unexpected end of stream"),
        ("feeds:\n  - url: https:///path-only\n", "Feeds.yaml:2:10: url 'https:///path-only' has no host; expected e.g. https://example.com/feed.xml"),
        ("feeds:\n  - url: https://a.example/x\n    auth: {username: al, password: hunter2}\n", "Feeds.yaml:3:36: 'password' must refer to the secret, not contain it: write {env: VARIABLE} or {file: /path/to/file} (Feeds.yaml is often shared or world-readable)"),
        ("feeds:\n  - url: https://a.example/x\n    auth: {username: al, password: {file: pw.txt}}\n", "Feeds.yaml:3:43: secret file 'pw.txt' must be an absolute path"),
        ("feeds:\n  - url: https://a.example/x\n    auth: {password: {env: PW}}\n", "Feeds.yaml:3:11: 'auth' needs a 'username'"),
        ("feeds:\n  - url: https://a.example/x\n    headers: {Authorization: Bearer x}\n", "Feeds.yaml:3:15: header 'Authorization' is set by Tidings itself; use 'auth:' for basic authentication"),
        ("feeds:\n  - url: https://a.example/x\n    headers: {\"Bad Name\": x}\n", "Feeds.yaml:3:15: header name 'Bad Name' is not a valid HTTP header name (letters, digits and -)"),
        ("feeds:\n  - url: https://a.example/x\n    headers: {X-Key: {env: A, file: /b}}\n", "Feeds.yaml:3:22: 'headers.X-Key' takes exactly one of 'env' or 'file'"),
    ])
    func rejectsWithSpecificMessage(_ text: String, _ expected: String) {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, path: "Feeds.yaml") }
        do {
            _ = try ConfigLoader.parse(text, path: "Feeds.yaml")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/Feeds.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/Feeds.yaml: cannot read the file"))
        }
    }

    @Test func shippedFeedsYamlIsValid() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/FeedConfigTests/ConfigLoaderTests.swift", with: "Feeds.yaml")
        let configuration = try ConfigLoader.load(path: path)
        #expect(configuration.feeds.count >= 15)
        #expect(configuration.feeds.allSatisfy { $0.url.hasPrefix("https://") })
    }

    @Test(arguments: [("90s", 90), ("30m", 1800), ("1h30m", 5400), ("2d", 172_800), (" 5m ", 300)])
    func durations(_ text: String, _ seconds: Int) {
        #expect(Quantities.seconds(text) == seconds)
    }

    @Test(arguments: ["", "5", "m", "5 m", "-5m", "5mm", "1.5h"])
    func notDurations(_ text: String) {
        #expect(Quantities.seconds(text) == nil)
    }

    @Test func sizes() {
        #expect(Quantities.bytes("16MiB") == 16_777_216)
        #expect(Quantities.bytes("10MB") == 10_000_000)
        #expect(Quantities.bytes("512 KiB") == 524_288)
        #expect(Quantities.bytes("2048") == 2048)
        #expect(Quantities.bytes("lots") == nil)
        #expect(Quantities.bytes("5TB") == nil)
    }

    @Test func pathsFollowXDG() {
        let paths = TidingsPaths(
            environment: ["HOME": "/home/u", "XDG_STATE_HOME": "/state", "XDG_CONFIG_HOME": "/cfg"],
            currentDirectory: "/nonexistent-dir")
        #expect(paths.databasePath(explicit: nil) == "/state/tidings/tidings.sqlite")
        #expect(paths.configPath(explicit: nil) == "/cfg/tidings/Feeds.yaml")
        #expect(paths.databasePath(explicit: "/x.sqlite") == "/x.sqlite")
        let fallback = TidingsPaths(environment: ["HOME": "/home/u", "TIDINGS_DATABASE": "/env.sqlite"], currentDirectory: "/nonexistent-dir")
        #expect(fallback.databasePath(explicit: nil) == "/env.sqlite")
        #expect(fallback.configPath(explicit: nil) == "/home/u/.config/tidings/Feeds.yaml")
        let noEnv = TidingsPaths(environment: ["HOME": "/home/u"], currentDirectory: "/nonexistent-dir")
        #expect(noEnv.databasePath(explicit: nil) == "/home/u/.local/state/tidings/tidings.sqlite")
    }
}
