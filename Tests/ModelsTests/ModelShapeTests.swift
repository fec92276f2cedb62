import Models
import NN
import TensorCore
import TestSupport
import XCTest

final class ModelShapeTests: XCTestCase {
    var stream = RandomStream(seed: 1, name: "models")

    func testDCGANShapes() {
        let g = DCGANGenerator(width: 8, channels: 1, stream: &stream)
        let d = DCGANDiscriminator(width: 8, channels: 1, stream: &stream)
        let z = Tensor.randomNormal([3, 128], stream: &stream)
        let images = g(z, .training)
        XCTAssertEqual(images.shape, [3, 1, 32, 32])
        XCTAssertTrue(images.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        XCTAssertEqual(d(images, .training).shape, [3])
    }

    func testBigGANShapesConditionalAndNot() {
        for classes in [10, 0] {
            let g = BigGANGenerator(ch: 4, classes: classes, stream: &stream)
            let d = BigGANDiscriminator(ch: 4, classes: classes, stream: &stream)
            let labels: [Int]? = classes > 0 ? [1, 7] : nil
            let images = g(Tensor.randomNormal([2, 128], stream: &stream), classes: labels, .training)
            XCTAssertEqual(images.shape, [2, 3, 32, 32])
            XCTAssertEqual(d(images, classes: labels, .training).shape, [2])
        }
    }

    func testBigGANParameterCountsAtPaperWidth() {
        // The official CIFAR BigGAN (ch = 64): 4,304,387 parameters in G and 4,207,361 in D.
        XCTAssertEqual(BigGANGenerator(ch: 64, classes: 10, stream: &stream).parameterCount, 4_304_387)
        XCTAssertEqual(BigGANDiscriminator(ch: 64, classes: 10, stream: &stream).parameterCount, 4_207_361)
    }

    func testFeatureNetShapes() {
        let net = FeatureNet(channels: 1, classes: 10, width: 8, featureDimension: 128, stream: &stream)
        let (features, logits) = net(Tensor.randomNormal([4, 1, 32, 32], stream: &stream), .evaluation)
        XCTAssertEqual(features.shape, [4, 128])
        XCTAssertEqual(logits.shape, [4, 10])
    }

    func testWidthMultipliers() {
        let spec = ModelSpec(architecture: .dcgan, baseWidth: 64, sizeMultiplier: 0.25, imageChannels: 1)
        XCTAssertEqual(spec.width, 16)
        let g = spec.makeGenerator(stream: &stream) as! DCGANGenerator
        XCTAssertEqual(g.width, 16)
        let quarter = ModelSpec(architecture: .biggan, baseWidth: 64, sizeMultiplier: 0.5, imageChannels: 3, classes: 10)
        XCTAssertLessThan(quarter.makeGenerator(stream: &stream).parameterCount, 4_304_387 / 3)
    }

    func testGradientFlowsThroughABigGANDiscriminatorBlockToItsInput() {
        let d = BigGANDiscriminator(ch: 1, classes: 3, stream: &stream)
        let x = GradientCheck.sample([2, 3, 32, 32], seed: 7)
        // Converge the spectral-norm vectors first: with random u, v the estimated σ is tiny and W/σ huge.
        for _ in 0..<20 { _ = withoutGradients { d(x, classes: [0, 2], .training) } }
        // Check a handful of input elements against central differences of the whole D.
        let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
        d(input, classes: [0, 2], .evaluation).sum().backward()
        for element in [0, 517, 3000, 6143] {
            func score(_ delta: Float) -> Double {
                var values = x.scalars
                values[element] += delta
                return Double(withoutGradients { d(Tensor(shape: x.shape, scalars: values), classes: [0, 2], .evaluation).sum().scalar })
            }
            let numeric = (score(1e-2) - score(-1e-2)) / 2e-2
            XCTAssertEqual(Double(input.gradient!.scalars[element]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric))
        }
    }
}
