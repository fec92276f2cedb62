import TensorCore

/// Batch normalisation over N, H, W of NCHW input (Ioffe & Szegedy, 2015).
/// Training: x̂ = (x − μ_B) / √(σ²_B + ε) with the batch's mean and biased variance, gradients flowing
/// through both; running statistics r ← (1 − m)·r + m·stat, the variance unbiased (×n/(n−1)).
/// Evaluation: x̂ = (x − r_μ) / √(r_σ² + ε). With `affine`, y = γ·x̂ + β.
public final class BatchNorm2d: Module {
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let gamma: Tensor?
    public let beta: Tensor?
    public let momentum: Float
    public let epsilon: Float

    public init(_ channels: Int, affine: Bool = true, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
        gamma = affine ? Tensor(repeating: 1, shape: [channels]).requiringGradient() : nil
        beta = affine ? Tensor(zeros: [channels], requiresGradient: true) : nil
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var channels: Int { runningMean.count }

    public func namedParameters() -> [(String, Tensor)] {
        guard let gamma, let beta else { return [] }
        return [("weight", gamma), ("bias", beta)]
    }

    public func namedBuffers() -> [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVariance)] }

    /// The normalised input x̂, before any affine transform.
    public func normalize(_ x: Tensor, _ phase: Phase) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels, "BatchNorm2d(\(channels)): input \(x.shape)")
        let statShape = [1, channels, 1, 1]
        guard phase == .training else {
            let mean = runningMean.reshaped(to: statShape)
            return (x - mean) / (runningVariance.reshaped(to: statShape) + epsilon).sqrt()
        }
        let (normalized, batchMean, batchVariance) = x.batchNormalized(epsilon: epsilon)
        updateRunningStatistics(mean: batchMean, variance: batchVariance, count: x.count / channels)
        return normalized
    }

    func updateRunningStatistics(mean batchMean: [Float], variance batchVariance: [Float], count: Int) {
        let n = Float(count)
        let m = momentum
        runningMean.updateScalars { r in for c in r.indices { r[c] = (1 - m) * r[c] + m * batchMean[c] } }
        runningVariance.updateScalars { r in
            for c in r.indices { r[c] = (1 - m) * r[c] + m * batchVariance[c] * n / max(n - 1, 1) }
        }
    }

    public func callAsFunction(_ x: Tensor, _ phase: Phase) -> Tensor {
        let normalized = normalize(x, phase)
        guard let gamma, let beta else { return normalized }
        return normalized.channelAffine(scale: gamma.reshaped(to: [1, channels, 1, 1]), shift: beta.reshaped(to: [1, channels, 1, 1]))
    }

    /// ReLU(self(x, phase)): in training with `affine`, one op (`batchNormAffineReLU`, the same values and
    /// gradients bit for bit); otherwise the composed ops.
    public func rectified(_ x: Tensor, _ phase: Phase) -> Tensor {
        guard phase == .training, let gamma, let beta else { return self(x, phase).relu() }
        let shape = [1, channels, 1, 1]
        return rectified(x, scale: gamma.reshaped(to: shape), shift: beta.reshaped(to: shape))
    }

    /// ReLU(x̂ ⊙ scale + shift) with batch statistics, as one op, updating the running statistics.
    func rectified(_ x: Tensor, scale: Tensor, shift: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels, "BatchNorm2d(\(channels)): input \(x.shape)")
        let (output, batchMean, batchVariance) = x.batchNormAffineReLU(scale: scale, shift: shift, epsilon: epsilon)
        updateRunningStatistics(mean: batchMean, variance: batchVariance, count: x.count / channels)
        return output
    }
}

/// Class-conditional batch norm (BigGAN): BN without affine, then y = (1 + Emb_γ(c))·x̂ + Emb_β(c).
public final class ConditionalBatchNorm2d: Module {
    public let batchNorm: BatchNorm2d
    public let gain: Embedding
    public let bias: Embedding

    public init(_ channels: Int, classes: Int, initializer: Initializer = .normal002, stream: inout RandomStream) {
        batchNorm = BatchNorm2d(channels, affine: false)
        gain = Embedding(classes, channels, initializer: initializer, stream: &stream)
        bias = Embedding(classes, channels, initializer: initializer, stream: &stream)
    }

    public func namedParameters() -> [(String, Tensor)] {
        prefixed([("gain", gain), ("bias", bias)]) { $0.namedParameters() }
    }

    public func namedBuffers() -> [(String, Tensor)] { prefixed([("bn", batchNorm)]) { $0.namedBuffers() } }

    public func callAsFunction(_ x: Tensor, classes: [Int], _ phase: Phase) -> Tensor {
        let shape = [x.shape[0], batchNorm.channels, 1, 1]
        let normalized = batchNorm.normalize(x, phase)
        return normalized.channelAffine(scale: gain(classes, phase).reshaped(to: shape) + 1, shift: bias(classes, phase).reshaped(to: shape))
    }

    /// ReLU(self(x, classes, phase)): in training one op (`batchNormAffineReLU`, the same values and gradients
    /// bit for bit); otherwise the composed ops.
    public func rectified(_ x: Tensor, classes: [Int], _ phase: Phase) -> Tensor {
        guard phase == .training else { return self(x, classes: classes, phase).relu() }
        let shape = [x.shape[0], batchNorm.channels, 1, 1]
        return batchNorm.rectified(x, scale: gain(classes, phase).reshaped(to: shape) + 1, shift: bias(classes, phase).reshaped(to: shape))
    }
}
