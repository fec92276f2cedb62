import NN
import TensorCore
import TestSupport
import XCTest

final class BatchNormTests: XCTestCase {
    func testTrainingNormalisesWithBatchStatisticsAndUpdatesRunningOnes() {
        let bn = BatchNorm2d(2)
        var stream = RandomStream(seed: 1, name: "bn")
        let x = Tensor.randomNormal([4, 2, 3, 3], mean: 3, std: 2, stream: &stream)
        let y = bn(x, .training)
        for c in 0..<2 {
            let (mean, variance) = moments(channel(y, c))
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-3)
        }
        // running = 0.9·initial + 0.1·batch statistic (variance unbiased).
        let (mean0, biased0) = moments(channel(x, 0))
        let unbiased0: Double = biased0 * 36 / 35
        XCTAssertEqual(Double(bn.runningMean.scalars[0]), 0.1 * mean0, accuracy: 1e-5)
        XCTAssertEqual(Double(bn.runningVariance.scalars[0]), 0.9 + 0.1 * unbiased0, accuracy: 1e-4)
    }

    /// Values of channel c of a [4, 2, 3, 3] tensor.
    private func channel(_ t: Tensor, _ c: Int) -> [Double] {
        var values: [Double] = []
        for n in 0..<4 {
            let start = (n * 2 + c) * 9
            values += t.scalars[start..<(start + 9)].map { Double($0) }
        }
        return values
    }

    /// Mean and biased variance.
    private func moments(_ values: [Double]) -> (Double, Double) {
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / count
        return (mean, variance)
    }

    func testEvaluationUsesRunningStatistics() {
        let bn = BatchNorm2d(1)
        bn.runningMean.assign([2])
        bn.runningVariance.assign([4])
        bn.gamma!.assign([3])
        bn.beta!.assign([1])
        let y = bn(Tensor(shape: [1, 1, 1, 2], scalars: [2, 6]), .evaluation)
        XCTAssertEqual(y.scalars[0], 1, accuracy: 1e-5)
        XCTAssertEqual(y.scalars[1], 3 * 4 / (4 + 1e-5).squareRoot() + 1, accuracy: 1e-4)
        XCTAssertEqual(bn.runningMean.scalars, [2], "evaluation leaves running statistics alone")
    }

    func testGradientsFlowThroughBatchStatistics() {
        let bn = BatchNorm2d(3)
        let x = GradientCheck.sample([3, 3, 2, 2], seed: 2)
        assertGradients([x]) { bn($0[0], .training) }
        assertGradients([x, bn.gamma!.detached(), bn.beta!.detached()]) { args in
            bn.normalize(args[0], .training) * args[1].reshaped(to: [1, 3, 1, 1]) + args[2].reshaped(to: [1, 3, 1, 1])
        }
    }

    func testConditionalBatchNormUsesClassGainAndBias() {
        var stream = RandomStream(seed: 3, name: "cbn")
        let cbn = ConditionalBatchNorm2d(2, classes: 3, stream: &stream)
        let x = Tensor.randomNormal([2, 2, 2, 2], stream: &stream)
        let y = cbn(x, classes: [2, 0], .training)
        let normalized = BatchNorm2d(2, affine: false).normalize(x, .training)
        let gain = cbn.gain.weight.scalars, bias = cbn.bias.weight.scalars
        for (n, label) in [2, 0].enumerated() {
            for c in 0..<2 {
                let index = (n * 2 + c) * 4
                XCTAssertEqual(y.scalars[index], normalized.scalars[index] * (1 + gain[label * 2 + c]) + bias[label * 2 + c],
                               accuracy: 1e-5)
            }
        }
        assertGradients([x]) { cbn($0[0], classes: [1, 2], .training) }
    }
}
