import NN
import TensorCore
import TestSupport
import XCTest

final class LayerTests: XCTestCase {
    var stream = RandomStream(seed: 1, name: "layers")

    func testLinearMatchesFormulaAndGradients() {
        let layer = Linear(3, 2, stream: &stream)
        layer.bias!.assign([0.5, -1])
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let w = layer.weight.scalars
        let y = layer(x, .training)
        XCTAssertEqual(y.scalars[0], w[0] + 2 * w[1] + 3 * w[2] + 0.5, accuracy: 1e-6)
        XCTAssertEqual(y.scalars[1], w[3] + 2 * w[4] + 3 * w[5] - 1, accuracy: 1e-6)
        let input = GradientCheck.sample([4, 3], seed: 2)
        assertGradients([input, layer.weight, layer.bias!]) { args in
            Tensor.matmul(args[0], args[1], transposeB: true) + args[2]
        }
        assertGradients([input]) { layer($0[0], .evaluation) }
    }

    func testConvolutionLayersThroughTheirWeights() {
        let conv = Conv2d(2, 3, kernel: 4, stride: 2, padding: 1, spectralNorm: true, stream: &stream)
        let deconv = ConvTranspose2d(3, 2, kernel: 4, stride: 2, padding: 1, spectralNorm: true, stream: &stream)
        let x = GradientCheck.sample([2, 2, 6, 6], seed: 3)
        XCTAssertEqual(conv(x, .training).shape, [2, 3, 3, 3])
        XCTAssertEqual(deconv(conv(x, .training), .training).shape, [2, 2, 6, 6])
        // The spectrally normalised weight W/σ(W) is differentiable in W (u, v frozen in evaluation).
        let sn = conv.spectralNorm!
        assertGradients([x, conv.weight.detached()]) { args in
            args[0].conv2d(sn.normalize(args[1], .evaluation), stride: 2, padding: 1)
        }
        let y = GradientCheck.sample([2, 3, 3, 3], seed: 4)
        assertGradients([y]) { deconv($0[0], .evaluation) }
    }

    func testSpectralNormBringsTheLargestSingularValueToOne() {
        let linear = Linear(20, 10, spectralNorm: true, initializer: .kaiming, stream: &stream)
        for _ in 0..<30 { _ = linear(Tensor(zeros: [1, 20]), .training) }
        let normalized = withoutGradients { linear.spectralNorm!.normalize(linear.weight, .evaluation) }
        XCTAssertEqual(largestSingularValue(normalized, rows: 10, columns: 20), 1, accuracy: 1e-3)
        XCTAssertGreaterThan(largestSingularValue(linear.weight, rows: 10, columns: 20), 1.5)
    }

    func testSpectralNormVectorsFreezeInEvaluation() {
        let conv = Conv2d(2, 3, kernel: 3, spectralNorm: true, stream: &stream)
        let before = conv.spectralNorm!.u.scalars
        _ = conv(Tensor(zeros: [1, 2, 3, 3]), .evaluation)
        XCTAssertEqual(conv.spectralNorm!.u.scalars, before)
        _ = conv(Tensor(zeros: [1, 2, 3, 3]), .training)
        XCTAssertNotEqual(conv.spectralNorm!.u.scalars, before)
    }

    /// σ₁ by 500 power iterations in Float64 (independent of the layer's own estimate).
    private func largestSingularValue(_ w: Tensor, rows: Int, columns: Int) -> Double {
        var v = [Double](repeating: 1, count: columns)
        var sigma = 0.0
        for _ in 0..<500 {
            var u = (0..<rows).map { r in (0..<columns).reduce(0.0) { $0 + Double(w.scalars[r * columns + $1]) * v[$1] } }
            let uNorm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = u.map { $0 / uNorm }
            v = (0..<columns).map { c in (0..<rows).reduce(0.0) { $0 + Double(w.scalars[$1 * columns + c]) * u[$1] } }
            sigma = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / sigma }
        }
        return sigma
    }

    func testEmbeddingRowsAndGradient() {
        let embedding = Embedding(4, 3, stream: &stream)
        let rows = embedding([3, 1, 3], .training)
        XCTAssertEqual(Array(rows.scalars[0..<3]), Array(embedding.weight.scalars[9..<12]))
        (rows * 2).sum().backward()
        XCTAssertEqual(Array(embedding.weight.gradient!.scalars[9..<12]), [4, 4, 4])
        XCTAssertEqual(Array(embedding.weight.gradient!.scalars[0..<3]), [0, 0, 0])
    }
}
