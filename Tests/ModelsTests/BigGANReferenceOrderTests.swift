import Models
import NN
import TensorCore
import TestSupport
import XCTest

/// BigGAN's G and D against a transcription of BigGAN-PyTorch's blocks in their own order (the shortcut at
/// the high resolution: conv_sc(up(x)) in `GBlock`, pool(conv_sc(x)) in a preactivated `DBlock`), built
/// from the NN layers with the models' own parameters loaded by name. The models compute the shortcut at
/// the low resolution (BigGANBlocks.swift); outputs and input gradients must agree up to rounding.
final class BigGANReferenceOrderTests: XCTestCase {
    func testGeneratorMatchesBigGANPyTorchOrder() throws {
        var stream = RandomStream(seed: 11, name: "reference-order")
        let g = BigGANGenerator(ch: 2, classes: 0, stream: &stream)
        let z = Tensor.randomNormal([3, 128], stream: &stream)
        for _ in 0..<5 { _ = withoutGradients { g(z, classes: nil, .training) } }  // spectral norms and BN statistics
        let reference = ReferenceGenerator(width: 8, stream: &stream)
        try reference.load(state: Dictionary(uniqueKeysWithValues: g.namedState()))
        try assertSameFunction([3, 128], seed: 12, { g($0, classes: nil, .evaluation) }, { reference($0) })
    }

    func testDiscriminatorMatchesBigGANPyTorchOrder() throws {
        var stream = RandomStream(seed: 13, name: "reference-order")
        let d = BigGANDiscriminator(ch: 2, classes: 0, stream: &stream)
        let images = GradientCheck.sample([3, 3, 32, 32], seed: 14)
        for _ in 0..<5 { _ = withoutGradients { d(images, classes: nil, .training) } }
        let reference = ReferenceDiscriminator(width: 8, stream: &stream)
        try reference.load(state: Dictionary(uniqueKeysWithValues: d.namedState()))
        try assertSameFunction([3, 3, 32, 32], seed: 15, { d($0, classes: nil, .evaluation) }, { reference($0) })
    }

    /// Values and the gradient of Σ r·f(x) with respect to x agree to 1e-5 of their largest magnitude.
    private func assertSameFunction(_ shape: [Int], seed: UInt64, _ model: (Tensor) -> Tensor,
                                    _ reference: (Tensor) -> Tensor) throws {
        let x = GradientCheck.sample(shape, seed: seed)
        func run(_ f: (Tensor) -> Tensor) -> (values: [Float], gradient: [Float]) {
            let input = Tensor(shape: x.shape, scalars: x.scalars, requiresGradient: true)
            let output = f(input)
            (output * GradientCheck.sample(output.shape, seed: seed + 100)).sum().backward()
            return (output.scalars, input.gradient!.scalars)
        }
        let (ours, theirs) = (run(model), run(reference))
        for (name, a, b) in [("values", ours.values, theirs.values), ("input gradient", ours.gradient, theirs.gradient)] {
            let scale = max(b.map(abs).max() ?? 0, 1e-6)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5 * scale, "\(name): largest difference \(worst) at scale \(scale)")
        }
    }
}

// MARK: - BigGAN-PyTorch's order, unconditional

private final class ReferenceGenerator: Module {
    let linear: Linear, blocks: [(bn1: BatchNorm2d, conv1: Conv2d, bn2: BatchNorm2d, conv2: Conv2d, sc: Conv2d)]
    let outputNorm: BatchNorm2d, outputConv: Conv2d, width: Int

    init(width: Int, stream: inout RandomStream) {
        self.width = width
        linear = Linear(128, width * 16, spectralNorm: true, stream: &stream)
        blocks = (0..<3).map { _ in
            (BatchNorm2d(width), Conv2d(width, width, kernel: 3, padding: 1, spectralNorm: true, stream: &stream),
             BatchNorm2d(width), Conv2d(width, width, kernel: 3, padding: 1, spectralNorm: true, stream: &stream),
             Conv2d(width, width, kernel: 1, spectralNorm: true, stream: &stream))
        }
        outputNorm = BatchNorm2d(width)
        outputConv = Conv2d(width, 3, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
    }

    private var children: [(String, Module?)] {
        let named: [(String, Module?)] = blocks.enumerated().flatMap { index, block -> [(String, Module?)] in
            let parts: [(String, Module?)] = [("bn1", block.bn1), ("conv1", block.conv1), ("bn2", block.bn2),
                                              ("conv2", block.conv2), ("conv_sc", block.sc)]
            return parts.map { ("block\(index).\($0.0)", $0.1) }
        }
        return [("linear", linear)] + named + [("output_bn", outputNorm), ("output_conv", outputConv)]
    }

    func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    func callAsFunction(_ z: Tensor) -> Tensor {
        var x = linear(z, .evaluation).reshaped(to: [z.shape[0], width, 4, 4])
        for block in blocks {
            let h = block.bn1(x, .evaluation).relu().upsampleNearest(2)
            let h2 = block.conv2(block.bn2(block.conv1(h, .evaluation), .evaluation).relu(), .evaluation)
            x = h2 + block.sc(x.upsampleNearest(2), .evaluation)  // GBlock: upsample, then conv_sc
        }
        return outputConv(outputNorm(x, .evaluation).relu(), .evaluation).tanh()
    }
}

private final class ReferenceDiscriminator: Module {
    let blocks: [(conv1: Conv2d, conv2: Conv2d, sc: Conv2d?, preactivation: Bool, downsample: Bool)]
    let linear: Linear

    init(width: Int, stream: inout RandomStream) {
        blocks = [(3, false, true), (width, true, true), (width, true, false), (width, true, false)].map { input, pre, down in
            (Conv2d(input, width, kernel: 3, padding: 1, spectralNorm: true, stream: &stream),
             Conv2d(width, width, kernel: 3, padding: 1, spectralNorm: true, stream: &stream),
             input != width || down ? Conv2d(input, width, kernel: 1, spectralNorm: true, stream: &stream) : nil, pre, down)
        }
        linear = Linear(width, 1, spectralNorm: true, stream: &stream)
    }

    private var children: [(String, Module?)] {
        let named: [(String, Module?)] = blocks.enumerated().flatMap { index, block -> [(String, Module?)] in
            let parts: [(String, Module?)] = [("conv1", block.conv1), ("conv2", block.conv2), ("conv_sc", block.sc)]
            return parts.map { ("block\(index).\($0.0)", $0.1) }
        }
        return named + [("linear", linear)]
    }

    func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    func callAsFunction(_ images: Tensor) -> Tensor {
        var x = images
        for block in blocks {
            var h = block.conv2(block.conv1(block.preactivation ? x.relu() : x, .evaluation).relu(), .evaluation)
            if block.downsample { h = h.avgPool2d(2) }
            var skip = x
            if block.preactivation {  // DBlock.shortcut: conv_sc, then downsample
                if let sc = block.sc { skip = sc(skip, .evaluation) }
                if block.downsample { skip = skip.avgPool2d(2) }
            } else {  // without preactivation: downsample, then conv_sc
                if block.downsample { skip = skip.avgPool2d(2) }
                if let sc = block.sc { skip = sc(skip, .evaluation) }
            }
            x = h + skip
        }
        return linear(x.relu().sum(alongAxes: [2, 3]), .evaluation).reshaped(to: [images.shape[0]])
    }
}
