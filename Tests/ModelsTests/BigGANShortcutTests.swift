import NN
import TensorCore
import TestSupport
import XCTest

/// The BigGAN blocks compute their 1×1 shortcut at the low resolution (BigGANBlocks.swift): up(conv_sc(x))
/// for BigGAN-PyTorch's conv_sc(up(x)) and conv_sc(pool(x)) for its pool(conv_sc(x)). These tests hold the
/// identities that rewrite rests on, for values and for every gradient, with a spectrally normalised 1×1
/// convolution with bias as in the models.
final class BigGANShortcutTests: XCTestCase {
    /// A 1×1 spectrally normalised convolution whose power iteration has converged (as in a trained model),
    /// used in the evaluation phase so both orders see the same W / σ.
    private func shortcut(_ inChannels: Int, _ outChannels: Int) -> Conv2d {
        var stream = RandomStream(seed: 3, name: "shortcut")
        let conv = Conv2d(inChannels, outChannels, kernel: 1, spectralNorm: true, initializer: .normal002, stream: &stream)
        conv.bias!.assign(GradientCheck.sample([outChannels], seed: 4).scalars)
        for _ in 0..<10 { _ = withoutGradients { conv(Tensor(zeros: [1, inChannels, 2, 2]), .training) } }
        return conv
    }

    /// Output, input gradient and parameter gradients of `body` under the weighted-sum loss Σ r·body(x).
    private func evaluated(_ conv: Conv2d, _ x: Tensor, _ body: (Tensor) -> Tensor) -> [[Float]] {
        conv.zeroGradients()
        let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
        let output = body(input)
        let weights = GradientCheck.sample(output.shape, seed: 9)
        (output * weights).sum().backward()
        return [output.scalars, input.gradient!.scalars, conv.weight.gradient!.scalars, conv.bias!.gradient!.scalars]
    }

    func testUpsamplingAfterTheShortcutIsTheSameFunctionAsBefore() {
        let conv = shortcut(5, 4)
        let x = GradientCheck.sample([2, 5, 3, 3], seed: 7)
        let reference = evaluated(conv, x) { conv($0.upsampleNearest(2), .evaluation) }
        let rewritten = evaluated(conv, x) { conv($0, .evaluation).upsampleNearest(2) }
        XCTAssertEqual(reference[0], rewritten[0], "a 1×1 convolution acts on each pixel alone: the same values")
        for (name, index) in [("dx", 1), ("dW", 2), ("db", 3)] {
            assertClose(reference[index], rewritten[index], name)
        }
    }

    func testPoolingBeforeTheShortcutIsTheSameFunctionAsAfter() {
        let conv = shortcut(5, 4)
        let x = GradientCheck.sample([2, 5, 4, 6], seed: 8)
        let reference = evaluated(conv, x) { conv($0, .evaluation).avgPool2d(2) }
        let rewritten = evaluated(conv, x) { conv($0.avgPool2d(2), .evaluation) }
        for (name, index) in [("values", 0), ("dx", 1), ("dW", 2), ("db", 3)] {
            assertClose(reference[index], rewritten[index], name)
        }
    }

    private func assertClose(_ a: [Float], _ b: [Float], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, name, file: file, line: line)
        let scale = max(a.map(abs).max() ?? 0, 1e-6)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5 * scale, "\(name): largest difference \(worst) at scale \(scale)", file: file, line: line)
    }
}
