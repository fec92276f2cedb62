import ArgumentParser
import Foundation
import KernelBenchmarks
import TensorCore

/// `augbench bench`: GFLOP/s of sgemm and of convolutions at GAN layer shapes.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm and conv2d throughput (build with -c release for meaningful numbers).")

    @Option(help: "Seconds to repeat each measurement for (median reported).")
    var seconds: Double = 2

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let kernel = BLASKernel.ensureBestKernel()
        let results = KernelBenchmarks.all(minimumSeconds: seconds)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        #if DEBUG
        print("warning: debug build; timings are meaningless. Use `swift run -c release augbench bench`.")
        #endif
        print("BLAS kernel: \(kernel.summary); OpenBLAS threads: \(BLASKernel.threadCount); CPU: \(BLASKernel.cpuModel())\n")
        print("| workload | shape | ms | GFLOP/s |")
        print("|---|---|---:|---:|")
        for result in results {
            print("| \(result.name) | \(result.shape) | \(String(format: "%.2f", result.seconds * 1000)) | \(String(format: "%.1f", result.gflops)) |")
        }
        let sgemm = results[0].gflops
        let convolution = results.filter { $0.name.hasSuffix("fwd+bwd") }
        let ratios = convolution.map { $0.gflops / sgemm }
        print("\nconv fwd+bwd vs sgemm 2048³: " + zip(convolution, ratios)
            .map { "\($0.0.name.replacingOccurrences(of: " fwd+bwd", with: "")) \(String(format: "%.0f%%", $0.1 * 100))" }
            .joined(separator: ", "))
    }
}
