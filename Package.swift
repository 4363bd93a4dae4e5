// swift-tools-version:6.1
import PackageDescription

// MARK: - Optimisation
// Numeric code is only worth testing optimised: the engine targets build with -O even in
// debug configurations so `swift test` stays fast; `make test` uses `-c release` anyway.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "CubeSeg",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cubeseg", targets: ["cubeseg"]),
        .library(name: "CubeML", targets: ["CubeML"]),
        .library(name: "CubeFormats", targets: ["CubeFormats"]),
        .library(name: "CubeService", targets: ["CubeService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.21.0"),
    ],
    targets: [
        // MARK: - C libraries (system-library targets, one shim header each)
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CFITSIO", pkgConfig: "cfitsio", providers: [.apt(["libcfitsio-dev"])]),

        // MARK: - Engine
        .target(name: "CubeCompression", dependencies: ["CZlib"], swiftSettings: optimised),
        .target(name: "CubeFormats", dependencies: ["CHDF5", "CFITSIO", "CubeCompression"], swiftSettings: optimised),
        .target(name: "CubeML", dependencies: ["COpenBLAS", "CubeFormats"], swiftSettings: optimised),
        .target(name: "CubeImaging", dependencies: ["CubeCompression"], swiftSettings: optimised),
        .target(name: "CubeSynth", dependencies: ["CubeFormats", "CubeML"], swiftSettings: optimised),
        // X-ray emission lines and the naming of spectrum peaks by element and line.
        .target(name: "CubeSpectroscopy", swiftSettings: optimised),
        // Result files (labels.png, clusters.json, model.json, ...) shared by the CLI and the service.
        .target(name: "CubeReports", dependencies: ["CubeML", "CubeFormats", "CubeImaging", "CubeSpectroscopy"], swiftSettings: optimised),

        // MARK: - Service
        .target(
            name: "CubeService",
            dependencies: [
                "CMicroHTTPD", "CubeFormats", "CubeML", "CubeImaging", "CubeReports",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/viewer")]
        ),

        // MARK: - Executable
        .executableTarget(
            name: "cubeseg",
            dependencies: [
                "CubeService", "CubeML", "CubeFormats", "CubeImaging", "CubeSynth", "CubeReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks: one subcommand per file in Sources/cubeseg-bench.
        .executableTarget(
            name: "cubeseg-bench",
            dependencies: [
                "CubeML", "CubeFormats", "CubeService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: optimised
        ),

        // MARK: - Tests (Swift Testing)
        .testTarget(name: "CubeFormatsTests", dependencies: ["CubeFormats"], resources: [.copy("Fixtures")], swiftSettings: optimised),
        .testTarget(name: "CubeMLTests", dependencies: ["CubeML", "CubeSynth", "CubeFormats"], swiftSettings: optimised),
        .testTarget(name: "CubeImagingTests", dependencies: ["CubeImaging", "CubeCompression"], resources: [.copy("Fixtures")], swiftSettings: optimised),
        .testTarget(name: "CubeReportsTests", dependencies: ["CubeReports", "CubeML", "CubeImaging", "CubeFormats", "CubeSynth"], swiftSettings: optimised),
        .testTarget(name: "CubeSpectroscopyTests", dependencies: ["CubeSpectroscopy"], swiftSettings: optimised),
        .testTarget(name: "CubeSynthTests", dependencies: ["CubeSynth", "CubeFormats"], swiftSettings: optimised),
        .testTarget(name: "CubeServiceTests", dependencies: [
            "CubeService", "CubeSynth", "CubeFormats", "CubeML", "CubeImaging",
            .product(name: "Yams", package: "Yams"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
    ]
)
