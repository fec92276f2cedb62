import NN
import TensorCore

/// Which G/D pair to build and how wide: `sizeMultiplier` scales the base width (Figure 8a's
/// ×0.25 / ×0.5 / ×1), rounded to the nearest whole channel count.
public struct ModelSpec: Codable, Equatable, Sendable {
    public var architecture: Architecture
    /// DCGAN: w (64 in the speed workload); BigGAN: ch (64 in the paper, 256 channels).
    public var baseWidth: Int
    public var sizeMultiplier: Double
    public var imageChannels: Int
    /// 0 for unconditional models.
    public var classes: Int
    public var latentDimension: Int

    public init(architecture: Architecture, baseWidth: Int, sizeMultiplier: Double = 1, imageChannels: Int,
                classes: Int = 0, latentDimension: Int = 128) {
        self.architecture = architecture
        self.baseWidth = baseWidth
        self.sizeMultiplier = sizeMultiplier
        self.imageChannels = imageChannels
        self.classes = classes
        self.latentDimension = latentDimension
    }

    /// The width actually built: max(1, round(baseWidth × sizeMultiplier)).
    public var width: Int { max(1, Int((Double(baseWidth) * sizeMultiplier).rounded())) }

    public func makeGenerator(stream: inout RandomStream) -> any Generator {
        switch architecture {
        case .dcgan:
            return DCGANGenerator(width: width, channels: imageChannels, latentDimension: latentDimension, stream: &stream)
        case .biggan:
            precondition(imageChannels == 3, "BigGAN generates RGB images")
            return BigGANGenerator(ch: width, classes: classes, latentDimension: latentDimension, stream: &stream)
        }
    }

    public func makeDiscriminator(stream: inout RandomStream) -> any Discriminator {
        switch architecture {
        case .dcgan: return DCGANDiscriminator(width: width, channels: imageChannels, stream: &stream)
        case .biggan: return BigGANDiscriminator(ch: width, classes: classes, channels: imageChannels, stream: &stream)
        }
    }
}
