import NN
import TensorCore

/// BigGAN's residual up-block (BigGAN-PyTorch `GBlock`):
/// h = conv2(ReLU(cBN₂(conv1(up(ReLU(cBN₁(x, y)))), y))), out = h + conv_sc(up(x)).
/// The shortcut is computed as up(conv_sc(x)): a 1×1 convolution acts on each pixel alone, so it commutes
/// with nearest upsampling (the same values), at a quarter of the cost. Without classes the norms are plain
/// affine batch norms.
public final class BigGANGeneratorBlock: Module {
    let norm1: ConditionalNorm, norm2: ConditionalNorm
    let conv1: Conv2d, conv2: Conv2d, shortcut: Conv2d?

    init(_ inChannels: Int, _ outChannels: Int, classes: Int, stream: inout RandomStream) {
        norm1 = ConditionalNorm(inChannels, classes: classes, stream: &stream)
        conv1 = Conv2d(inChannels, outChannels, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
        norm2 = ConditionalNorm(outChannels, classes: classes, stream: &stream)
        conv2 = Conv2d(outChannels, outChannels, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
        shortcut = Conv2d(inChannels, outChannels, kernel: 1, spectralNorm: true, stream: &stream)  // upsampling: always learnable
    }

    private var children: [(String, Module?)] {
        [("bn1", norm1.module), ("conv1", conv1), ("bn2", norm2.module), ("conv2", conv2), ("conv_sc", shortcut)]
    }

    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    func callAsFunction(_ x: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor {
        let h0 = norm1.rectified(x, classes: classes, phase).upsampleNearest(2)
        let h = conv2(norm2.rectified(conv1(h0, phase), classes: classes, phase), phase)
        let skip = shortcut.map { $0(x, phase) } ?? x
        return h + skip.upsampleNearest(2)
    }
}

/// BigGAN's residual down-block (BigGAN-PyTorch `DBlock`): h = pool(conv2(ReLU(conv1(ReLU?(x))))), with
/// the first ReLU only when `preactivation`; shortcut conv_sc (1×1) when channels change or it downsamples.
/// BigGAN-PyTorch pools the shortcut after conv_sc with preactivation and before it without; both are
/// computed here as conv_sc(pool(x)): pool(W·x + b) = W·pool(x) + b (both are linear and the pool's weights
/// sum to 1), equal up to rounding, at a quarter of the cost.
public final class BigGANDiscriminatorBlock: Module {
    let conv1: Conv2d, conv2: Conv2d, shortcut: Conv2d?
    let preactivation: Bool, downsample: Bool

    init(_ inChannels: Int, _ outChannels: Int, preactivation: Bool, downsample: Bool, stream: inout RandomStream) {
        self.preactivation = preactivation
        self.downsample = downsample
        conv1 = Conv2d(inChannels, outChannels, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
        conv2 = Conv2d(outChannels, outChannels, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
        shortcut = inChannels != outChannels || downsample
            ? Conv2d(inChannels, outChannels, kernel: 1, spectralNorm: true, stream: &stream) : nil
    }

    private var children: [(String, Module?)] { [("conv1", conv1), ("conv2", conv2), ("conv_sc", shortcut)] }
    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        var h = conv2(conv1.rectified(preactivation ? x.relu() : x, phase, slope: 0), phase)
        if downsample { h = h.avgPool2d(2) }
        var skip = downsample ? x.avgPool2d(2) : x
        if let shortcut { skip = shortcut(skip, phase) }
        return h + skip
    }
}

/// Class-conditional batch norm when there are classes, an affine batch norm otherwise.
struct ConditionalNorm {
    let conditional: ConditionalBatchNorm2d?
    let plain: BatchNorm2d?

    init(_ channels: Int, classes: Int, stream: inout RandomStream) {
        conditional = classes > 0 ? ConditionalBatchNorm2d(channels, classes: classes, stream: &stream) : nil
        plain = classes > 0 ? nil : BatchNorm2d(channels)
    }

    var module: Module? { conditional ?? plain }

    func callAsFunction(_ x: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor {
        if let conditional {
            guard let classes else { preconditionFailure("conditional BigGAN called without class labels") }
            return conditional(x, classes: classes, phase)
        }
        return plain!(x, phase)
    }

    /// ReLU(self(x, classes, phase)), fused in training (the same values and gradients).
    func rectified(_ x: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor {
        if let conditional {
            guard let classes else { preconditionFailure("conditional BigGAN called without class labels") }
            return conditional.rectified(x, classes: classes, phase)
        }
        return plain!.rectified(x, phase)
    }
}
