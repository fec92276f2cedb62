import Foundation
import TensorCore

/// Weight initialisation schemes; every draw comes from the stream passed in.
public enum Initializer: String, Codable, Sendable {
    /// N(0, 0.02²), as DCGAN and the DiffAugment BigGAN configs use.
    case normal002
    /// He et al.: N(0, 2 / fan_in).
    case kaiming
    /// Glorot & Bengio: U(−a, a) with a = √(6 / (fan_in + fan_out)).
    case xavier

    /// A tensor of `shape` whose fan-in and fan-out are `fans`.
    public func make(_ shape: [Int], fans: (in: Int, out: Int), stream: inout RandomStream) -> Tensor {
        switch self {
        case .normal002:
            return Tensor.randomNormal(shape, std: 0.02, stream: &stream)
        case .kaiming:
            return Tensor.randomNormal(shape, std: (2 / Float(fans.in)).squareRoot(), stream: &stream)
        case .xavier:
            let bound = (6 / Float(fans.in + fans.out)).squareRoot()
            return Tensor.randomUniform(shape, low: -bound, high: bound, stream: &stream)
        }
    }
}
