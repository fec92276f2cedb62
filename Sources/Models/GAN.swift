import NN
import TensorCore

/// A generator: latents z [N, latentDimension] (and class labels when conditional) → images in [-1, 1].
public protocol Generator: Module {
    var latentDimension: Int { get }
    var imageShape: [Int] { get }
    var classCount: Int { get }
    func callAsFunction(_ z: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor
}

/// A discriminator: images [N, C, H, W] (and labels when conditional) → raw scores [N].
public protocol Discriminator: Module {
    var classCount: Int { get }
    func callAsFunction(_ images: Tensor, classes: [Int]?, _ phase: Phase) -> Tensor
}

/// Model architectures a config can name.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case dcgan
    case biggan
}
