import ArgumentParser
import CHDF5
import CPNG
import Data
import Foundation
import Metrics
import Storage
import TensorCore

/// `augbench doctor`: what this machine gives AugBench, and how to fix what is missing.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the toolchain, BLAS kernel, libraries, datasets and CPU features; fail with the fix when something is missing.")

    static let fashionMNISTFiles = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    static let kernelFlags = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512dq",
                              "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"]

    func run() throws {
        var problems: [String] = []
        let kernel = BLASKernel.ensureBestKernel()
        let flags = BLASKernel.cpuFlags()
        row("Swift", Toolchain.swiftVersion)
        row("OpenBLAS", "\(BLASKernel.version), single-threaded inside \(BLASKernel.threadCount) worker threads")
        row("BLAS kernel", kernel.summary)
        if !kernel.selfCheckPassed {
            problems.append("The BLAS kernel \(kernel.coreName) computed a wrong product; set OPENBLAS_CORETYPE to an older core (e.g. Haswell).")
        }
        if let best = BLASKernel.candidateCores(cpuFlags: flags).first, best != kernel.coreName, kernel.chosenBy != "user" {
            problems.append("This CPU supports the \(best) kernel but \(kernel.coreName) is running.")
        }
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        row("HDF5", "\(major).\(minor).\(release)")
        row("libpng", String(cString: png_get_libpng_ver(nil)))
        let missing = Self.fashionMNISTFiles.filter {
            !FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTFolder + "/" + $0)
        }
        if missing.isEmpty {
            row("Fashion-MNIST", DatasetCatalog.fashionMNISTFolder)
        } else {
            row("Fashion-MNIST", "MISSING: \(missing.joined(separator: ", ")) in \(DatasetCatalog.fashionMNISTFolder)")
            problems.append("Fashion-MNIST is missing: \(DatasetCatalog.hint(for: "fashion-mnist")).")
        }
        for dataset in ["fashion-mnist", "cifar10"] {
            let path = "weights/featurenet-\(dataset).h5"
            row("FeatureNet", FileManager.default.fileExists(atPath: path) ? "\(path)" : "MISSING \(path) (augbench features train --dataset \(dataset))")
        }
        row("Inception-v3", inceptionStatus(&problems))
        row("CPU", "\(BLASKernel.cpuModel()), \(Parallel.workerCount) cores")
        row("CPU features", Self.kernelFlags.map { flags.contains($0) ? $0 : "-\($0)" }.joined(separator: " "))
        if problems.isEmpty {
            print("\nEverything AugBench needs is here.")
            return
        }
        print("\nProblems:")
        for problem in problems { print("  - \(problem)") }
        throw ExitCode(1)
    }

    /// Installed, optional-and-absent, or present but not a converted weight file (a problem).
    private func inceptionStatus(_ problems: inout [String]) -> String {
        let path = InceptionWeights.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            return "not installed (optional, for paper-comparable FID: scripts/convert_inception_weights.py → \(path))"
        }
        let format = (try? HDF5File(path: path)).flatMap { file in
            defer { file.close() }
            return try? file.stringAttribute("format")
        }
        guard format == InceptionWeights.format else {
            problems.append("\(path) is not a converted Inception weight file (attribute 'format' should be '\(InceptionWeights.format)'); rerun scripts/convert_inception_weights.py.")
            return "UNREADABLE \(path)"
        }
        return "installed: \(path)"
    }

    private func row(_ name: String, _ value: String) {
        print(name.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
    }
}
