import Foundation
import NN
import TensorCore
import TestSupport
import XCTest

final class TrainingTests: XCTestCase {
    func testLossValues() {
        let real = Tensor(shape: [2], scalars: [2, 0.5]), fake = Tensor(shape: [2], scalars: [-3, 0])
        XCTAssertEqual(Loss.hingeDiscriminator(real: real, fake: fake).scalar, (0 + 0.5) / 2 + (0 + 1) / 2)
        XCTAssertEqual(Loss.hingeGenerator(fake: fake).scalar, 1.5)
        let softplus: (Double) -> Double = { Foundation.log(1 + Foundation.exp($0)) }
        XCTAssertEqual(Double(Loss.nonSaturatingDiscriminator(real: real, fake: fake).scalar),
                       (softplus(-2) + softplus(-0.5)) / 2 + (softplus(-3) + softplus(0)) / 2, accuracy: 1e-6)
        XCTAssertEqual(Double(Loss.nonSaturatingGenerator(fake: fake).scalar), (softplus(3) + softplus(0)) / 2, accuracy: 1e-6)
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 0, -1000])
        let sumOfExponentials: Double = Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)
        let expected: Double = (Foundation.log(sumOfExponentials) - 1) / 2
        XCTAssertEqual(Double(Loss.crossEntropy(logits: logits, labels: [0, 0]).scalar), expected, accuracy: 1e-5)
    }

    func testLossGradients() {
        let a = GradientCheck.sample([5], seed: 1, avoidingZero: 0.1), b = GradientCheck.sample([5], seed: 2, avoidingZero: 0.1)
        let shiftedA = Tensor(shape: [5], scalars: a.scalars.map { $0 + 1 <= 0.05 && $0 + 1 >= -0.05 ? $0 + 0.2 : $0 })
        assertGradients([shiftedA, b]) { Loss.nonSaturatingDiscriminator(real: $0[0], fake: $0[1]) }
        assertGradients([b]) { Loss.nonSaturatingGenerator(fake: $0[0]) }
        assertGradients([b]) { Loss.hingeGenerator(fake: $0[0]) }
        assertGradients([GradientCheck.sample([4, 3], seed: 3)]) { Loss.crossEntropy(logits: $0[0], labels: [2, 0, 1, 1]) }
    }

    func testFrozenParametersGetNoGradientButPassOneToTheInput() {
        var stream = RandomStream(seed: 4, name: "frozen")
        let conv = Conv2d(2, 3, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
        let x = GradientCheck.sample([2, 2, 5, 5], seed: 5).requiringGradient()
        let expected = Tensor.gradients(of: conv(x, .evaluation).sum(), withRespectTo: [x])[0].scalars
        conv.zeroGradients()
        conv.withFrozenParameters {
            x.gradient = nil
            conv(x, .evaluation).sum().backward()
            XCTAssertTrue(conv.parameters.allSatisfy { $0.gradient == nil && !$0.requiresGradient })
        }
        XCTAssertEqual(x.gradient?.scalars, expected)
        XCTAssertTrue(conv.parameters.allSatisfy(\.requiresGradient))
        struct Failure: Error {}
        XCTAssertThrowsError(try conv.withFrozenParameters { throw Failure() })
        XCTAssertTrue(conv.parameters.allSatisfy(\.requiresGradient), "a throwing body leaves the module trainable")
    }

    func testAdamMatchesPyTorchFormula() {
        let p = Tensor(shape: [2], scalars: [1, -2], requiresGradient: true)
        let adam = Adam(parameters: [("p", p)], learningRate: 0.1, beta1: 0.5, beta2: 0.999)
        var reference: [Double] = [1, -2], m: [Double] = [0, 0], v: [Double] = [0, 0]
        for step in 1...5 {
            (p * p * p).sum().backward()  // g = 3p²
            adam.update()
            for i in 0..<2 {
                let g = 3 * reference[i] * reference[i]
                m[i] = 0.5 * m[i] + 0.5 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let denominator = v[i].squareRoot() / (1 - pow(0.999, Double(step))).squareRoot() + 1e-8
                reference[i] -= 0.1 / (1 - pow(0.5, Double(step))) * m[i] / denominator
            }
            XCTAssertEqual(Double(p.scalars[0]), reference[0], accuracy: 1e-5)
            XCTAssertEqual(Double(p.scalars[1]), reference[1], accuracy: 1e-5)
            XCTAssertNil(p.gradient, "update clears the gradient")
        }
    }

    /// The vector loop must round as the element-by-element formula does (bit for bit), for lengths with and
    /// without a tail after the last full vector.
    func testAdamRoundsAsTheScalarFormula() {
        var stream = RandomStream(seed: 11, name: "adam-bits")
        for count in [1, 7, 8, 9, 37] {
            let start = Tensor.randomNormal([count], stream: &stream).scalars
            let p = Tensor(shape: [count], scalars: start, requiresGradient: true)
            let adam = Adam(parameters: [("p", p)], learningRate: 0.01, beta1: 0.5, beta2: 0.999)
            var reference = start, m = [Float](repeating: 0, count: count), v = m
            for step in 1...4 {
                let weights = Tensor.randomNormal([count], stream: &stream)
                (p * p * weights).sum().backward()  // g = 2·weights·p
                let g = p.gradient!.scalars
                adam.update()
                let correction1 = 1 - Float(pow(Double(0.5), Double(step)))
                let correction2 = (1 - Float(pow(Double(Float(0.999)), Double(step)))).squareRoot()
                let stepSize = Float(0.01) / correction1
                for i in 0..<count {
                    m[i] = 0.5 * m[i] + (1 - 0.5) * g[i]
                    v[i] = 0.999 * v[i] + (1 - 0.999) * g[i] * g[i]
                    reference[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + 1e-8)
                }
                XCTAssertEqual(p.scalars.map(\.bitPattern), reference.map(\.bitPattern), "\(count) values, step \(step)")
            }
        }
    }

    func testExponentialMovingAverage() throws {
        var stream = RandomStream(seed: 4, name: "ema")
        let model = Linear(2, 1, stream: &stream), shadow = Linear(2, 1, stream: &stream)
        let ema = try ExponentialMovingAverage(average: shadow, of: model, decay: 0.9, startIteration: 2)
        XCTAssertEqual(shadow.weight.scalars, model.weight.scalars)
        model.weight.assign([1, 1])
        ema.update(from: model, iteration: 1)
        XCTAssertEqual(shadow.weight.scalars, [1, 1], "before the start iteration the average copies")
        model.weight.assign([2, 0])
        ema.update(from: model, iteration: 2)
        XCTAssertEqual(shadow.weight.scalars[0], 0.9 * 1 + 0.1 * 2, accuracy: 1e-6)
        XCTAssertEqual(shadow.weight.scalars[1], 0.9, accuracy: 1e-6)
    }

    func testATinyNetworkOverfitsATinyBatch() {
        var stream = RandomStream(seed: 5, name: "overfit")
        let conv = Conv2d(1, 8, kernel: 3, padding: 1, initializer: .kaiming, stream: &stream)
        let bn = BatchNorm2d(8)
        let head = Linear(8 * 4 * 4, 3, initializer: .kaiming, stream: &stream)
        let x = Tensor.randomNormal([6, 1, 8, 8], stream: &stream)
        let labels = [0, 1, 2, 0, 1, 2]
        let parameters = conv.namedParameters() + bn.namedParameters() + head.namedParameters()
        let adam = Adam(parameters: parameters, learningRate: 0.01)
        var loss: Float = .infinity
        for _ in 0..<150 {
            let h = bn(conv(x, .training), .training).relu().avgPool2d(2).reshaped(to: [6, -1])
            let l = Loss.crossEntropy(logits: head(h, .training), labels: labels)
            loss = l.scalar
            l.backward()
            adam.update()
        }
        XCTAssertLessThan(loss, 0.02)
    }
}
