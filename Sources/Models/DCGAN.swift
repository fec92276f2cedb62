import NN
import TensorCore

/// The CPU-scale DCGAN generator for 32×32 images with width w:
/// z [N, 128] → Linear → [N, 4w, 4, 4] → 3 × (BN, ReLU, ConvTranspose 4×4 stride 2) (4w → 2w → w → C) → tanh.
public final class DCGANGenerator: Generator {
    public let latentDimension: Int
    public let width: Int
    public let channels: Int
    public let linear: Linear
    public let norms: [BatchNorm2d]
    public let deconvs: [ConvTranspose2d]

    public var imageShape: [Int] { [channels, 32, 32] }
    public var classCount: Int { 0 }

    public init(width: Int = 64, channels: Int = 1, latentDimension: Int = 128, stream: inout RandomStream) {
        self.latentDimension = latentDimension
        self.width = width
        self.channels = channels
        linear = Linear(latentDimension, 4 * width * 16, stream: &stream)
        let widths = [4 * width, 2 * width, width, channels]
        norms = widths.dropLast().map { BatchNorm2d($0) }
        deconvs = (0..<3).map { ConvTranspose2d(widths[$0], widths[$0 + 1], kernel: 4, stride: 2, padding: 1, stream: &stream) }
    }

    private var children: [(String, Module?)] {
        [("linear", linear)] + norms.enumerated().map { ("bn\($0.offset)", $0.element) }
            + deconvs.enumerated().map { ("deconv\($0.offset)", $0.element) }
    }

    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    public func callAsFunction(_ z: Tensor, classes: [Int]? = nil, _ phase: Phase) -> Tensor {
        var h = linear(z, phase).reshaped(to: [z.shape[0], 4 * width, 4, 4])
        for (norm, deconv) in zip(norms, deconvs) { h = deconv(norm.rectified(h, phase), phase) }
        return h.tanh()
    }
}

/// The CPU-scale DCGAN discriminator with width w: 3 × (spectral-norm Conv 4×4 stride 2, leaky ReLU 0.1)
/// (C → w → 2w → 4w, 32 → 4 pixels) → spectral-norm Linear → 1.
public final class DCGANDiscriminator: Discriminator {
    public let width: Int
    public let convs: [Conv2d]
    public let linear: Linear
    public var classCount: Int { 0 }

    public init(width: Int = 64, channels: Int = 1, stream: inout RandomStream) {
        self.width = width
        let widths = [channels, width, 2 * width, 4 * width]
        convs = (0..<3).map { Conv2d(widths[$0], widths[$0 + 1], kernel: 4, stride: 2, padding: 1, spectralNorm: true, stream: &stream) }
        linear = Linear(4 * width * 16, 1, spectralNorm: true, stream: &stream)
    }

    private var children: [(String, Module?)] {
        convs.enumerated().map { ("conv\($0.offset)", $0.element) } + [("linear", linear)]
    }

    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    public func callAsFunction(_ images: Tensor, classes: [Int]? = nil, _ phase: Phase) -> Tensor {
        var h = images
        for conv in convs { h = conv.rectified(h, phase, slope: 0.1) }
        return linear(h.reshaped(to: [images.shape[0], -1]), phase).reshaped(to: [images.shape[0]])
    }
}
