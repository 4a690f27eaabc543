// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Dependency direction (arrows are imports):
//   CCurl, CLibXML2                         C system libraries, wrapped once
//   FeedModel                               value types, no dependencies
//   FeedConfig   -> FeedModel, Yams          Feeds.yaml loading and validation
//   FeedParsing  -> FeedModel, CLibXML2      bytes -> ParsedFeed (the only libxml2 user)
//   FeedFetching -> FeedModel, CCurl         the only network code (the only libcurl user)
//   StoryClustering -> CStemmer              pure online story clustering (Snowball stemmer via libstemmer)
//   FeedScheduling -> FeedModel              pure polling rules: intervals, backoff, hints, moves, host pauses
//   FeedStore    -> FeedModel, GRDB          the only SQL
//   FeedDaemon   -> all of the above         polling orchestration, story assignment, signals, logging
//   TidingsCLI   -> FeedStore, FeedConfig, FeedParsing, FeedFetching (feeds add checks the URL), StoryClustering
//   tidingsd, tidings                        main.swift only

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Tidings",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tidingsd", targets: ["tidingsd"]),
        .executable(name: "tidings", targets: ["tidings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),

        .target(name: "FeedModel", swiftSettings: swiftSettings),
        .target(
            name: "FeedConfig",
            dependencies: ["FeedModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
        .target(name: "FeedParsing", dependencies: ["FeedModel", "CLibXML2"], swiftSettings: swiftSettings),
        .target(name: "StoryClustering", dependencies: ["CStemmer"], swiftSettings: swiftSettings),
        .target(name: "FeedScheduling", dependencies: ["FeedModel"], swiftSettings: swiftSettings),
        .target(name: "FeedFetching", dependencies: ["FeedModel", "CCurl"], swiftSettings: swiftSettings),
        .target(
            name: "FeedStore",
            dependencies: ["FeedModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .target(
            name: "FeedDaemon",
            dependencies: [
                "FeedModel", "FeedConfig", "FeedParsing", "FeedFetching", "FeedScheduling", "FeedStore", "StoryClustering",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "TidingsCLI",
            dependencies: [
                "FeedModel", "FeedConfig", "FeedParsing", "FeedFetching", "FeedStore", "StoryClustering",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tidingsd",
            dependencies: [
                "FeedDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "tidings", dependencies: ["TidingsCLI"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "tidings-bench",
            dependencies: [
                "FeedModel", "FeedParsing", "FeedStore", "StoryClustering", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ], swiftSettings: swiftSettings),
        .executableTarget(name: "tidings-replay", dependencies: ["FeedModel", "TestSupport"], swiftSettings: swiftSettings),
        // tidings-fuzz (Sources/tidings-fuzz) is added at the end when TIDINGS_FUZZ is set.

        .target(name: "TestSupport", dependencies: ["FeedModel"], path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "FeedParsingTests", dependencies: ["FeedParsing", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FeedConfigTests", dependencies: ["FeedConfig", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FeedFetchingTests", dependencies: ["FeedFetching", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StoryClusteringTests", dependencies: ["StoryClustering", "FeedParsing", "FeedModel", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "FeedSchedulingTests", dependencies: ["FeedScheduling"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FeedStoreTests",
            dependencies: ["FeedStore", "FeedModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TidingsCLITests",
            dependencies: ["TidingsCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FeedDaemonTests",
            dependencies: [
                "FeedDaemon", "FeedConfig", "FeedFetching", "FeedModel", "FeedStore", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["TestSupport", "FeedStore", "FeedParsing", "FeedModel", "tidingsd", "tidings", "tidings-replay"],
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target has no main (libFuzzer provides it), so it is only part of the package when asked for:
// TIDINGS_FUZZ=1 swift build -c release --product tidings-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
if ProcessInfo.processInfo.environment["TIDINGS_FUZZ"] != nil {
    package.products.append(.executable(name: "tidings-fuzz", targets: ["tidings-fuzz"]))
    package.targets.append(
        .executableTarget(name: "tidings-fuzz", dependencies: ["FeedModel", "FeedParsing"], swiftSettings: swiftSettings))
}
