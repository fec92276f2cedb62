import ArgumentParser
import TensorCore

@main
struct AugBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augbench",
        abstract: "Reproduce and benchmark DiffAugment (Zhao et al., NeurIPS 2020) on a CPU.",
        subcommands: [Doctor.self, Bench.self, AugmentCommand.self, DataCommand.self])

    /// Every command runs on the best correct BLAS kernel: this may re-execute the process once.
    static func main() {
        _ = BLASKernel.ensureBestKernel()
        main(nil)
    }
}
