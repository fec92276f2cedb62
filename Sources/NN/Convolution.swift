import TensorCore

/// 2-D convolution with a square kernel: weight [out, in, k, k], bias [out].
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let spectralNorm: SpectralNorm?
    public let stride: Int, padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, spectralNorm: Bool = false, initializer: Initializer = .normal002,
                stream: inout RandomStream) {
        let fanIn = inChannels * kernel * kernel, fanOut = outChannels * kernel * kernel
        weight = initializer.make([outChannels, inChannels, kernel, kernel], fans: (fanIn, fanOut), stream: &stream)
            .requiringGradient()
        self.bias = bias ? Tensor(zeros: [outChannels], requiresGradient: true) : nil
        self.spectralNorm = spectralNorm ? SpectralNorm(rows: outChannels, columns: fanIn, stream: &stream) : nil
        self.stride = stride
        self.padding = padding
    }

    public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func namedBuffers() -> [(String, Tensor)] { prefixed([("sn", spectralNorm)]) { $0.namedBuffers() } }

    public func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        let y = x.conv2d(spectralNorm?.normalize(weight, phase) ?? weight, stride: stride, padding: padding)
        return bias.map { y + $0.reshaped(to: [1, $0.count, 1, 1]) } ?? y
    }
}

/// Transposed 2-D convolution (the input gradient of a convolution): weight [in, out, k, k] as PyTorch.
public final class ConvTranspose2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let spectralNorm: SpectralNorm?
    public let stride: Int, padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, spectralNorm: Bool = false, initializer: Initializer = .normal002,
                stream: inout RandomStream) {
        let fanIn = outChannels * kernel * kernel, fanOut = inChannels * kernel * kernel
        weight = initializer.make([inChannels, outChannels, kernel, kernel], fans: (fanIn, fanOut), stream: &stream)
            .requiringGradient()
        self.bias = bias ? Tensor(zeros: [outChannels], requiresGradient: true) : nil
        self.spectralNorm = spectralNorm ? SpectralNorm(rows: inChannels, columns: fanIn, stream: &stream) : nil
        self.stride = stride
        self.padding = padding
    }

    public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func namedBuffers() -> [(String, Tensor)] { prefixed([("sn", spectralNorm)]) { $0.namedBuffers() } }

    public func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        let y = x.convTranspose2d(spectralNorm?.normalize(weight, phase) ?? weight, stride: stride, padding: padding)
        return bias.map { y + $0.reshaped(to: [1, $0.count, 1, 1]) } ?? y
    }
}
