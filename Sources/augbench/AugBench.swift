import ArgumentParser
import Experiments
import Results
import Foundation
import TensorCore

@main
struct AugBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augbench",
        abstract: "Reproduce and benchmark DiffAugment (Zhao et al., NeurIPS 2020) on a CPU.",
        subcommands: [Doctor.self, Bench.self, AugmentCommand.self, DataCommand.self, FeaturesCommand.self,
                      FIDCommand.self, ISCommand.self, KIDCommand.self, PRDCCommand.self, MemorisationCommand.self, LeakageCommand.self, RunCommand.self,
                      TableCommand.self, ExplainCommand.self, BaselineCommand.self, DiffCommand.self, PlotCommand.self, ReportCommand.self])

    /// Every command runs on the best correct BLAS kernel: this may re-execute the process once.
    static func main() {
        JobPool.prepareIfWorker()
        _ = Startup.kernel
        setvbuf(stdout, nil, _IOLBF, 0)  // progress lines appear as they are printed, also in a log file
        main(nil)
    }
}

/// What the process decided before parsing its command line.
enum Startup {
    /// The BLAS kernel this process runs (deciding it may have re-executed the process once).
    static let kernel = BLASKernel.ensureBestKernel()
}
