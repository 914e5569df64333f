// swift-tools-version:6.0
import PackageDescription

// One pipeline, one module per stage (see README "Where things live").
// LienThongCore is the domain and does no I/O; everything that touches files,
// OpenSSL, inotify, SQLite or systemd lives in its own module around it.
let package = Package(
    name: "lienthong",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lienthongd", targets: ["lienthongd"]),
        .executable(name: "lienthongctl", targets: ["lienthongctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Property-based tests (claim naming over NFC/NFD twins and compound extensions).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // System libraries: a module map and a shim header each.
        .systemLibrary(name: "CLibSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // zlib inflates PDF object streams (FlateDecode), under a budget.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // HTTP(S) for lienthongctl fetch-crls only; the daemon links no network code.
        .systemLibrary(name: "CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Linux calls Swift's Glibc module does not export (renameat2, inotify constants).
        .target(name: "CLinux"),

        .target(name: "LienThongCore"),
        .target(name: "LienThongConfig", dependencies: ["LienThongCore"]),
        .target(name: "LienThongSignature", dependencies: ["LienThongCore", "CLibSSL", "CZlib"]),
        .target(name: "LienThongSpool", dependencies: ["LienThongCore", "CSQLite", "CLibSSL", "CLinux"]),
        .target(name: "LienThongWatch", dependencies: ["CLinux", "LienThongCore"]),
        .target(name: "LienThongSystemd", dependencies: ["CSystemd"]),
        // The compliance report and queue shape: pure, rendered to text, CSV and HTML.
        .target(name: "LienThongReport", dependencies: ["LienThongCore"]),
        // The control socket's protocol, shared by the daemon and lienthongctl
        // (so the tool does not link the daemon's wiring).
        .target(name: "LienThongControl"),
        .target(
            name: "LienThongGateway",
            dependencies: [
                "LienThongCore", "LienThongConfig", "LienThongSignature", "LienThongControl",
                "LienThongSpool", "LienThongWatch", "LienThongSystemd", "CLinux",
            ]
        ),
        // fetch-crls: download, verify and install CRLs (lienthongctl only).
        .target(name: "LienThongCRLFetch", dependencies: ["CLibCurl", "LienThongSignature", "LienThongSpool"]),
        .executableTarget(name: "lienthongd", dependencies: ["LienThongGateway"]),
        .executableTarget(
            name: "lienthongctl",
            dependencies: [
                "LienThongCore", "LienThongConfig", "LienThongSignature", "LienThongSpool", "LienThongSystemd",
                "LienThongControl", "LienThongReport", "LienThongCRLFetch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(
            name: "LienThongCoreTests",
            dependencies: ["LienThongCore", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "LienThongConfigTests", dependencies: ["LienThongConfig"]),
        // CZlib: the bomb tests deflate their own hostile object streams.
        .testTarget(name: "LienThongSignatureTests", dependencies: ["LienThongSignature", "CZlib"], exclude: ["Regressions"]),
        .testTarget(name: "LienThongSpoolTests", dependencies: ["LienThongSpool"]),
        .testTarget(name: "LienThongWatchTests", dependencies: ["LienThongWatch", "LienThongCore"]),
        .testTarget(name: "LienThongSystemdTests", dependencies: ["LienThongSystemd"]),
        .testTarget(name: "LienThongReportTests", dependencies: ["LienThongReport", "LienThongSpool"]),
        // The daemon as a process, and each stage on its own (no daemon).
        .testTarget(name: "GatewayTests", dependencies: ["LienThongGateway", "LienThongControl", "LienThongCore", "LienThongSpool", "LienThongSystemd", "LienThongWatch"]),
        // The fuzz targets' kept inputs (Fuzz/Regressions/) replayed through the
        // properties the targets check (Fuzz/Properties/): scripts/fuzz/build.sh
        // compiles the same files into each target, hence the path.
        .testTarget(
            name: "FuzzReplayTests",
            dependencies: ["LienThongCore", "LienThongConfig", "LienThongSignature", "LienThongControl"],
            path: "Fuzz", exclude: ["Targets", "Support", "corpus", "Regressions"], sources: ["Properties", "Replay"]),
        // Boots a real systemd in a private namespace and runs the installed unit.
        .testTarget(name: "SystemdIntegrationTests"),
    ]
)
