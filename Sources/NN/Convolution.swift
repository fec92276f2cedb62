import TensorCore

/// The trainable state shared by the convolution layers: a [A, B, k, k] weight (optionally spectrally
/// normalised over its first axis), a bias per output channel, stride and padding.
final class ConvolutionParameters {
    let weight: Tensor
    let bias: Tensor?
    let spectralNorm: SpectralNorm?
    let stride: Int, padding: Int

    init(weightShape: [Int], fans: (in: Int, out: Int), outChannels: Int, stride: Int, padding: Int, bias: Bool,
         spectralNorm: Bool, initializer: Initializer, stream: inout RandomStream) {
        weight = initializer.make(weightShape, fans: fans, stream: &stream).requiringGradient()
        self.bias = bias ? Tensor(zeros: [outChannels], requiresGradient: true) : nil
        self.spectralNorm = spectralNorm
            ? SpectralNorm(rows: weightShape[0], columns: weightShape.dropFirst().reduce(1, *), stream: &stream) : nil
        self.stride = stride
        self.padding = padding
    }

    func namedParameters() -> [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    func namedBuffers() -> [(String, Tensor)] { prefixed([("sn", spectralNorm)]) { $0.namedBuffers() } }

    /// The weight as the forward pass uses it (W / σ(W) with spectral norm).
    func effectiveWeight(_ phase: Phase) -> Tensor { spectralNorm?.normalize(weight, phase) ?? weight }

    /// y + b broadcast over N, H, W.
    func addingBias(_ y: Tensor) -> Tensor { bias.map { y + $0.reshaped(to: [1, $0.count, 1, 1]) } ?? y }
}

/// 2-D convolution with a square kernel: weight [out, in, k, k], bias [out].
public final class Conv2d: Module {
    let state: ConvolutionParameters
    public var weight: Tensor { state.weight }
    public var bias: Tensor? { state.bias }
    public var spectralNorm: SpectralNorm? { state.spectralNorm }

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, spectralNorm: Bool = false, initializer: Initializer = .normal002,
                stream: inout RandomStream) {
        state = ConvolutionParameters(weightShape: [outChannels, inChannels, kernel, kernel],
                                      fans: (inChannels * kernel * kernel, outChannels * kernel * kernel), outChannels: outChannels,
                                      stride: stride, padding: padding, bias: bias, spectralNorm: spectralNorm,
                                      initializer: initializer, stream: &stream)
    }

    public func namedParameters() -> [(String, Tensor)] { state.namedParameters() }
    public func namedBuffers() -> [(String, Tensor)] { state.namedBuffers() }

    public func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        x.conv2d(state.effectiveWeight(phase), bias: state.bias, stride: state.stride, padding: state.padding)
    }

    /// leakyRelu(conv(x), slope) (ReLU for slope 0), the rectifier applied inside the convolution
    /// (`conv2dLeakyReLU`): the same values and gradients as `self(x, phase).leakyRelu(slope:)`, one pass fewer.
    public func rectified(_ x: Tensor, _ phase: Phase, slope: Float) -> Tensor {
        x.conv2dLeakyReLU(state.effectiveWeight(phase), bias: state.bias, stride: state.stride,
                          padding: (state.padding, state.padding), slope: slope)
    }
}

/// Transposed 2-D convolution (the input gradient of a convolution): weight [in, out, k, k] as PyTorch.
public final class ConvTranspose2d: Module {
    let state: ConvolutionParameters
    public var weight: Tensor { state.weight }
    public var bias: Tensor? { state.bias }
    public var spectralNorm: SpectralNorm? { state.spectralNorm }

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, spectralNorm: Bool = false, initializer: Initializer = .normal002,
                stream: inout RandomStream) {
        state = ConvolutionParameters(weightShape: [inChannels, outChannels, kernel, kernel],
                                      fans: (outChannels * kernel * kernel, inChannels * kernel * kernel), outChannels: outChannels,
                                      stride: stride, padding: padding, bias: bias, spectralNorm: spectralNorm,
                                      initializer: initializer, stream: &stream)
    }

    public func namedParameters() -> [(String, Tensor)] { state.namedParameters() }
    public func namedBuffers() -> [(String, Tensor)] { state.namedBuffers() }

    public func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        state.addingBias(x.convTranspose2d(state.effectiveWeight(phase), stride: state.stride, padding: state.padding))
    }
}
