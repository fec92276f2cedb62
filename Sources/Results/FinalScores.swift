import Foundation
import Metrics

/// FID and KID of a run's final and best-FID generators under a second extractor (`evaluation.final_extractor`),
/// kept in result.json beside the tracking extractor's numbers.
public struct FinalScores: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var iteration: Int
        public var fid: Double
        public var kidMean: Double
        public var kidStd: Double

        public init(iteration: Int, fid: Double, kidMean: Double, kidStd: Double) {
            (self.iteration, self.fid, self.kidMean, self.kidStd) = (iteration, fid, kidMean, kidStd)
        }
    }

    public var metricProtocol: MetricProtocol
    public var final: Point
    public var best: Point?
    public var seconds: Double

    public init(metricProtocol: MetricProtocol, final: Point, best: Point?, seconds: Double) {
        self.metricProtocol = metricProtocol
        self.final = final
        self.best = best
        self.seconds = seconds
    }
}
