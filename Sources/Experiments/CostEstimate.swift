import Foundation
import Results
import TensorCore

/// What a run will cost: FLOPs of one training iteration (counted while running it) and the time of a
/// short measured stretch, extrapolated to the configured iterations (evaluations not included).
public struct CostEstimate: Sendable {
    public let flopsPerIteration: Double
    public let secondsPerIteration: Double
    public let iterations: Int

    public var totalFLOPs: Double { flopsPerIteration * Double(iterations) }
    public var trainingSeconds: Double { secondsPerIteration * Double(iterations) }
}

extension GridRunner {
    /// Builds the run and times `measured` iterations after one warm-up; nothing is written.
    public func estimate(_ experiment: Experiment, measured: Int = 2) throws -> CostEstimate {
        let c = experiment.config
        let inputs = try data.inputs(c)
        let run = try TrainingRun(config: c, trainIndices: inputs.manifest.indices, imageChannels: inputs.train.channels,
                                  classes: inputs.train.classCount)
        let counter = FLOPCounter()
        try FLOPCounter.$current.withValue(counter) { try run.step(inputs.train) }
        let start = Date()
        for _ in 0..<measured { try run.step(inputs.train) }
        return CostEstimate(flopsPerIteration: counter.flops, secondsPerIteration: Date().timeIntervalSince(start) / Double(measured),
                            iterations: c.training.iterations)
    }
}
