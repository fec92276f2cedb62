import NN
import TensorCore

/// The classifier whose penultimate activations serve as FID features and whose logits serve IS on
/// small datasets: 4 conv blocks (conv 3×3 → BN → ReLU; 2×2 average pooling after the 2nd and 3rd,
/// 32 → 8 pixels), global average pooling to a `featureDimension`-vector, then Linear → classes.
public final class FeatureNet: Module {
    public let featureDimension: Int
    public let classCount: Int
    /// Image channels the network takes.
    public var convsInputChannels: Int { convs[0].weight.shape[1] }
    let convs: [Conv2d]
    let norms: [BatchNorm2d]
    let head: Linear

    public init(channels: Int = 1, classes: Int = 10, width: Int = 64, featureDimension: Int = 128,
                stream: inout RandomStream) {
        self.featureDimension = featureDimension
        classCount = classes
        let widths = [channels, width, width, 2 * width, featureDimension]
        convs = (0..<4).map { Conv2d(widths[$0], widths[$0 + 1], kernel: 3, padding: 1, bias: false,
                                     initializer: .kaiming, stream: &stream) }
        norms = widths.dropFirst().map { BatchNorm2d($0) }
        head = Linear(featureDimension, classes, initializer: .xavier, stream: &stream)
    }

    private var children: [(String, Module?)] {
        convs.enumerated().map { ("conv\($0.offset)", $0.element) }
            + norms.enumerated().map { ("bn\($0.offset)", $0.element) } + [("head", head)]
    }

    public func namedParameters() -> [(String, Tensor)] { prefixed(children) { $0.namedParameters() } }
    public func namedBuffers() -> [(String, Tensor)] { prefixed(children) { $0.namedBuffers() } }

    /// Penultimate features [N, featureDimension] and class logits [N, classes].
    public func callAsFunction(_ images: Tensor, _ phase: Phase) -> (features: Tensor, logits: Tensor) {
        var h = images
        for (index, (conv, norm)) in zip(convs, norms).enumerated() {
            h = norm(conv(h, phase), phase).relu()
            if index == 1 || index == 2 { h = h.avgPool2d(2) }
        }
        let features = h.mean(alongAxes: [2, 3])
        return (features, head(features, phase))
    }
}
