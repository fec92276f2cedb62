// swift-tools-version:6.0
import PackageDescription

/// Targets depend only on targets above them in this list (see ../shared/DESIGN.md).
let package = Package(
    name: "AugBench",
    products: [
        .executable(name: "augbench", targets: ["augbench"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CProcess"),
        .target(name: "TensorCore", dependencies: ["COpenBLAS", "CProcess"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "NN", dependencies: ["TensorCore"]),
        .target(name: "Storage", dependencies: ["CHDF5", "CPNG"]),
        .target(name: "Augment", dependencies: ["TensorCore", "Storage"]),
        .target(name: "Models", dependencies: ["TensorCore", "NN", "Storage"]),
        .target(name: "Data", dependencies: ["TensorCore", "Storage", "CZlib"]),
        .target(name: "Metrics", dependencies: ["COpenBLAS", "TensorCore", "NN", "Storage", "Models"]),
        .target(name: "Results", dependencies: ["Storage", "Metrics"]),
        .target(name: "Experiments", dependencies: ["Results", "CProcess", "TensorCore", "NN", "Storage", "Augment", "Models", "Data", "Metrics"]),
        .target(name: "TestSupport", dependencies: ["TensorCore"]),
        .target(name: "KernelBenchmarks", dependencies: ["TensorCore"], path: "Benchmarks/KernelBenchmarks"),
        .executableTarget(name: "augbench", dependencies: [
            "TensorCore", "Augment", "Storage", "Data", "Models", "Metrics", "Results", "Experiments", "KernelBenchmarks", "COpenBLAS", "CHDF5", "CPNG",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "NN", "TensorCore", "Storage", "TestSupport"]),
        .testTarget(name: "AugmentTests", dependencies: ["Augment", "TensorCore", "Storage", "TestSupport"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "TensorCore", "Storage", "TestSupport", "CZlib"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Models", "Storage", "TensorCore", "TestSupport", "Augment", "Data"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Results", "Metrics", "Models", "Storage", "TensorCore", "TestSupport", "augbench"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        .testTarget(name: "AugBenchCLITests", dependencies: ["Experiments", "TensorCore", "Storage", "TestSupport", "augbench"]),
    ],
    swiftLanguageModes: [.v5]
)
