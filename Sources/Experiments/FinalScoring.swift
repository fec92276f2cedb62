import Foundation
import Results
import Metrics
import Models
import TensorCore

extension TrainingLoop {
    /// Scores the final EMA generator and the best-FID checkpoint's with `evaluator` (the same latents as every
    /// evaluation, so the final images are those the tracking extractor scored last).
    func finalScores(with evaluator: Evaluator, tracking: Evaluator) throws -> FinalScores {
        let start = Date()
        func point(_ generator: any Generator, iteration: Int) throws -> FinalScores.Point {
            let scores = try evaluator.scores(of: tracking.samples(generator))
            return FinalScores.Point(iteration: iteration, fid: scores.fid, kidMean: scores.kidMean, kidStd: scores.kidStd)
        }
        let final = try point(run.evaluatedGenerator, iteration: run.iteration)
        var best: FinalScores.Point?
        if let bestLine = lines.min(by: { $0.fid < $1.fid }), bestLine.iteration != run.iteration {
            let checkpoint = try Checkpoint.read(from: directory.path("checkpoint-best.h5"))
            let generator = run.makeGenerator()
            try checkpoint.restore(generator, from: run.average == nil ? "G" : "G_ema")
            best = try point(generator, iteration: bestLine.iteration)
        } else {
            best = final
        }
        return FinalScores(metricProtocol: evaluator.metricProtocol, final: final, best: best, seconds: Date().timeIntervalSince(start))
    }
}
