import ArgumentParser
import Experiments
import Results
import Foundation
import KernelBenchmarks
import TensorCore

/// `augbench bench`: kernel throughput (default) or a whole training step.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (build with -c release for meaningful numbers).",
        subcommands: [Kernels.self, TrainStep.self], defaultSubcommand: Kernels.self)
}

/// `augbench bench train-step`: iterations/s and peak memory of a GAN training workload.
struct TrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-step",
        abstract: "Iterations per second and peak memory of a training workload on synthetic data, after a warm-up.")

    @Option(help: "dcgan (w64, batch 64, 1 D + 1 G, color,translation,cutout), cpu (the CPU-scale studies' step: w32, batch 64, translation,cutout, EMA of G), biggan (ch 32, conditional, batch 50, 4 D + 1 G, translation,cutout) features (FeatureNet w64 on 1×32×32 images, batches of 500) or inception (the installed FID Inception-v3 on 3×32×32 images resized to 299×299, batches of 50).")
    var workload = "dcgan"
    @Option(help: "Timed iterations after 2 warm-up iterations (images for features and inception, after one warm-up batch; default 10 iterations, 10000 FeatureNet or 200 Inception images).")
    var iterations: Int?
    @Flag(help: "Print one JSON object (workload, unit, rate, seconds, peak_mib, kernel).") var json = false
    @Flag(help: "Also print wall time per op and iteration, forward and backward (training workloads; forward times include unrecorded work before the op), and of the convolution kernels by direction, shape and algorithm.")
    var profile = false

    func run() throws {
        guard let chosen = TrainStepBenchmark.Workload(rawValue: workload) else {
            throw ValidationError("--workload must be one of: \(TrainStepBenchmark.Workload.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kernel = Startup.kernel
        if profile && chosen.extractsFeatures {
            throw ValidationError("--profile needs a training workload (dcgan, cpu or biggan); `features extract --profile` profiles extraction")
        }
        let defaultIterations = [TrainStepBenchmark.Workload.features: 10_000, .inception: 200][chosen] ?? 10
        let m = try TrainStepBenchmark.run(chosen, iterations: iterations ?? defaultIterations, profile: profile)
        let unit = chosen.extractsFeatures ? "images/s" : "it/s"
        let peak = Double(m.peakMemoryBytes) / 1_048_576
        if json {
            print(String(format: #"{"workload": "%@", "unit": "%@", "rate": %.4f, "seconds": %.3f, "peak_mib": %.1f, "kernel": "%@", "threads": %d}"#,
                         workload, unit, m.iterationsPerSecond, m.seconds, peak, kernel.coreName, BLASKernel.threadCount))
            return
        }
        print(String(format: "%@: %.2f %@ (%d in %.1f s), peak memory %.0f MiB; BLAS kernel %@, %d threads",
                     workload, m.iterationsPerSecond, unit, m.iterations, m.seconds, peak, kernel.summary, BLASKernel.threadCount))
        if profile { printProfile(m) }
    }

    /// Milliseconds per iteration for each op, longest first, and their sum.
    private func printProfile(_ m: TrainStepBenchmark.Measurement) {
        OpProfileTable.show(m.profile, repetitions: m.iterations, unit: "iteration", wallSeconds: m.seconds)
        KernelProfileTable.show(m.kernelProfile, repetitions: m.iterations, unit: "iteration; inside the ops above")
    }
}

/// `augbench bench [kernels]`: GFLOP/s of sgemm and of convolutions at GAN layer shapes.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm and conv2d throughput.")

    @Option(help: "Seconds to repeat each measurement for (median reported).")
    var seconds: Double = 2

    @Option(help: "Run only the workloads whose name contains this text (e.g. BigGAN, sgemm; Winograd comparisons also match their shape, e.g. \"Winograd N=50 128→128 3×3 s1 8→8\").")
    var filter: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let kernel = Startup.kernel
        let results = KernelBenchmarks.all(minimumSeconds: seconds, matching: filter)
        guard !results.isEmpty else { throw ValidationError("no kernel workload's name contains '\(filter ?? "")'") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        #if DEBUG
        print("warning: debug build; timings are meaningless. Use `swift run -c release augbench bench`.")
        #endif
        print("BLAS kernel: \(kernel.summary); \(BLASKernel.threadCount) worker threads (OpenBLAS single-threaded in each); CPU: \(BLASKernel.cpuModel())\n")
        print("| workload | shape | ms | GFLOP/s |")
        print("|---|---|---:|---:|")
        for result in results {
            print("| \(result.name) | \(result.shape) | \(String(format: "%.2f", result.seconds * 1000)) | \(String(format: "%.1f", result.gflops)) |")
        }
        guard let sgemm = results.first(where: { $0.name == "sgemm 2048³" })?.gflops else { return }
        let convolution = results.filter { $0.name.hasSuffix("fwd+bwd") }
        let ratios = convolution.map { $0.gflops / sgemm }
        print("\nconv fwd+bwd vs sgemm 2048³: " + zip(convolution, ratios)
            .map { "\($0.0.name.replacingOccurrences(of: " fwd+bwd", with: "")) \(String(format: "%.0f%%", $0.1 * 100))" }
            .joined(separator: ", "))
    }
}
