import NN
import TensorCore

/// BigGAN for 32×32 images (the CIFAR layout of BigGAN-PyTorch used by DiffAugment), width 4·ch
/// (the paper's ch = 64 gives 256 channels): z [N, 128] → Linear → [N, 4ch, 4, 4] → 3 up-blocks
/// (4 → 8 → 16 → 32) → BN → ReLU → conv 3×3 → tanh. Spectral norm on every conv and linear.
public final class BigGANGenerator: Generator {
    public let latentDimension: Int
    public let classCount: Int
    public let width: Int
    let linear: Linear
    let blocks: [BigGANGeneratorBlock]
    let outputNorm: BatchNorm2d
    let outputConv: Conv2d

    public var imageShape: [Int] { [3, 32, 32] }

    public init(ch: Int = 64, classes: Int = 10, latentDimension: Int = 128, stream: inout RandomStream) {
        self.latentDimension = latentDimension
        classCount = classes
        width = 4 * ch
        linear = Linear(latentDimension, width * 16, spectralNorm: true, stream: &stream)
        blocks = (0..<3).map { _ in BigGANGeneratorBlock(4 * ch, 4 * ch, classes: classes, stream: &stream) }
        outputNorm = BatchNorm2d(width)
        outputConv = Conv2d(width, 3, kernel: 3, padding: 1, spectralNorm: true, stream: &stream)
    }

    private var children: [(String, Module?)] {
        [("linear", linear)] + blocks.enumerated().map { ("block\($0.offset)", $0.element) }
            + [("output_bn", outputNorm), ("output_conv", outputConv)]
    }

    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    public func callAsFunction(_ z: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor {
        var h = linear(z, phase).reshaped(to: [z.shape[0], width, 4, 4])
        for block in blocks { h = block(h, classes: classes, phase) }
        return outputConv(outputNorm.rectified(h, phase), phase).tanh()
    }
}

/// BigGAN's 32×32 discriminator: 4 residual down-blocks of width 4·ch (the first two downsample, the first
/// without preactivation), ReLU, sum over space, Linear → 1 plus the projection ⟨Emb(y), h⟩ when
/// conditional. Spectral norm on every conv, the linear and the embedding.
public final class BigGANDiscriminator: Discriminator {
    public let classCount: Int
    let blocks: [BigGANDiscriminatorBlock]
    let linear: Linear
    let embedding: Embedding?

    public init(ch: Int = 64, classes: Int = 10, channels: Int = 3, stream: inout RandomStream) {
        classCount = classes
        let width = 4 * ch
        blocks = [
            BigGANDiscriminatorBlock(channels, width, preactivation: false, downsample: true, stream: &stream),
            BigGANDiscriminatorBlock(width, width, preactivation: true, downsample: true, stream: &stream),
            BigGANDiscriminatorBlock(width, width, preactivation: true, downsample: false, stream: &stream),
            BigGANDiscriminatorBlock(width, width, preactivation: true, downsample: false, stream: &stream),
        ]
        linear = Linear(width, 1, spectralNorm: true, stream: &stream)
        embedding = classes > 0 ? Embedding(classes, width, spectralNorm: true, stream: &stream) : nil
    }

    private var children: [(String, Module?)] {
        blocks.enumerated().map { ("block\($0.offset)", $0.element) } + [("linear", linear), ("embed", embedding)]
    }

    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    public func callAsFunction(_ images: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor {
        var h = images
        for block in blocks { h = block(h, phase) }
        let pooled = h.relu().sum(alongAxes: [2, 3])  // [N, width]
        var out = linear(pooled, phase).reshaped(to: [images.shape[0]])
        if let embedding {
            guard let classes else { preconditionFailure("conditional BigGAN D called without class labels") }
            out = out + (embedding(classes, phase) * pooled).sum(alongAxes: [1])
        }
        return out
    }
}
