// swift-tools-version:6.0
// EdgeLab — compact LLMs at the network edge. See README.md and docs/ARCHITECTURE.md for the map.
import PackageDescription

// Release builds of numeric code need -Ounchecked-free, plain -O; we keep Swift 5 language mode so the
// Lua C callbacks and BLAS pointers do not need Sendable annotations everywhere.
let swiftSettings: [SwiftSetting] = [.unsafeFlags(["-enable-testing"], .when(configuration: .release))]

let package = Package(
  name: "EdgeLab",
  platforms: [.macOS(.v13)],
  products: [.executable(name: "edgelab", targets: ["edgelab"])],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // System libraries (Debian packages; apt providers let SwiftPM name the missing package).
    .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4",
                   providers: [.apt(["liblua5.4-dev"])]),
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CEditline", path: "Sources/CEditline", pkgConfig: "libedit",
                   providers: [.apt(["libedit-dev"])]),

    // Domain modules: no Lua inside.
    // The one statistics module (quantile, IQM, t-interval, bootstrap, stratified bootstrap, permutation test).
    .target(name: "Statistics", dependencies: [], swiftSettings: swiftSettings),
    // Quantized dot-product kernels and elementwise float math (AVX2 / AVX-512 chosen at run time, portable C
    // fallback, the same bits at every level), a thread pool and the heap's retention settings.
    .target(name: "CQuantKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
    .target(name: "TensorCore", dependencies: ["CBLAS", "CQuantKernels"], swiftSettings: swiftSettings),
    .target(name: "LLM", dependencies: ["TensorCore", "CBLAS", "CQuantKernels"], swiftSettings: swiftSettings),
    // Device profiles and model cards as data: shared by Evaluation (writes cards) and MEC (reads them).
    .target(name: "EdgeProfiles", dependencies: [], swiftSettings: swiftSettings),
    .target(name: "Evaluation", dependencies: ["LLM", "TensorCore", "EdgeProfiles", "Statistics"], swiftSettings: swiftSettings),
    .target(name: "Compression", dependencies: ["LLM", "TensorCore", "CBLAS"],
            swiftSettings: swiftSettings),
    .target(name: "EnvKit", dependencies: ["TensorCore"], swiftSettings: swiftSettings),
    .target(name: "MEC", dependencies: ["EnvKit", "TensorCore", "EdgeProfiles", "Statistics"], swiftSettings: swiftSettings),
    .target(name: "RL", dependencies: ["EnvKit", "TensorCore", "Statistics"], swiftSettings: swiftSettings),
    .target(name: "Lab", dependencies: ["Statistics"], swiftSettings: swiftSettings),

    // Lua face.
    .target(name: "LuaBridge", dependencies: ["CLua"], swiftSettings: swiftSettings),
    .target(name: "EdgeLabLua",
            dependencies: ["LuaBridge", "Lab", "TensorCore", "LLM", "Evaluation", "Compression",
                           "EnvKit", "MEC", "RL", "EdgeProfiles", "Statistics"],
            swiftSettings: swiftSettings),
    // Fuzz targets (input boundaries driven by arbitrary bytes) and their libFuzzer / replay driver
    // (scripts/fuzz.sh builds it with -sanitize=fuzzer,address).
    .target(name: "FuzzTargets", dependencies: ["LLM", "TensorCore", "LuaBridge", "MEC", "RL"], swiftSettings: swiftSettings),
    .executableTarget(name: "edgelab-fuzz", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),
    .executableTarget(name: "edgelab",
                      dependencies: ["EdgeLabLua", "LuaBridge", "Lab", "CEditline", "CQuantKernels", "TensorCore", "LLM",
                                     "Evaluation", "Compression", "EnvKit", "MEC", "RL", "CBLAS",
                                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
                      swiftSettings: swiftSettings),

    // Tests: one target per module.
    .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CQuantKernels"]),
    .testTarget(name: "LLMTests", dependencies: ["LLM", "TensorCore", "CQuantKernels"], resources: [.copy("Fixtures")]),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "LLM", "TensorCore", "EdgeProfiles"]),
    .testTarget(name: "CompressionTests", dependencies: ["Compression", "LLM", "Evaluation", "TensorCore"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "EnvKitTests", dependencies: ["EnvKit", "TensorCore"]),
    .testTarget(name: "MECTests", dependencies: ["MEC", "EnvKit", "TensorCore", "EdgeProfiles"]),
    .testTarget(name: "RLTests", dependencies: ["RL", "EnvKit", "TensorCore", "MEC"]),
    .testTarget(name: "LabTests", dependencies: ["Lab"]),
    .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge", "CLua"]),
    .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "LLM"]),
    .testTarget(name: "EdgeLabLuaTests", dependencies: ["EdgeLabLua", "LuaBridge", "Lab", "LLM", "EdgeProfiles"]),
  ],
  swiftLanguageModes: [.v5]
)
