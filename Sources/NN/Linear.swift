import TensorCore

/// y = x·Wᵀ + b for x [N, in], W [out, in] (PyTorch's layout), optionally spectrally normalised.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let spectralNorm: SpectralNorm?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, spectralNorm: Bool = false,
                initializer: Initializer = .normal002, stream: inout RandomStream) {
        weight = initializer.make([outFeatures, inFeatures], fans: (inFeatures, outFeatures), stream: &stream).requiringGradient()
        self.bias = bias ? Tensor(zeros: [outFeatures], requiresGradient: true) : nil
        self.spectralNorm = spectralNorm ? SpectralNorm(rows: outFeatures, columns: inFeatures, stream: &stream) : nil
    }

    public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func namedBuffers() -> [(String, Tensor)] { prefixed([("sn", spectralNorm)]) { $0.namedBuffers() } }

    public func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        let w = spectralNorm?.normalize(weight, phase) ?? weight
        let y = Tensor.matmul(x, w, transposeB: true)
        return bias.map { y + $0 } ?? y
    }
}

/// A lookup table [count, dimension]: row i is the vector of class i.
public final class Embedding: Module {
    public let weight: Tensor
    public let spectralNorm: SpectralNorm?

    public init(_ count: Int, _ dimension: Int, spectralNorm: Bool = false, initializer: Initializer = .normal002,
                stream: inout RandomStream) {
        weight = initializer.make([count, dimension], fans: (count, dimension), stream: &stream).requiringGradient()
        self.spectralNorm = spectralNorm ? SpectralNorm(rows: count, columns: dimension, stream: &stream) : nil
    }

    public func namedParameters() -> [(String, Tensor)] { [("weight", weight)] }
    public func namedBuffers() -> [(String, Tensor)] { prefixed([("sn", spectralNorm)]) { $0.namedBuffers() } }

    /// Rows for `ids`: [ids.count, dimension].
    public func callAsFunction(_ ids: [Int], _ phase: Phase) -> Tensor {
        (spectralNorm?.normalize(weight, phase) ?? weight).rows(ids)
    }
}
