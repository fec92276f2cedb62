// MARK: - Batch normalisation with batch statistics (fused)
// Shapes: x [N, C, H, W]; statistics per channel over N·H·W = m values.

extension Tensor {
    /// x̂ = (x − μ_c) / √(σ²_c + ε) with the batch mean μ_c and biased variance σ²_c of each channel.
    /// Returns x̂ and the statistics (for running averages). Pullback, with s_c = √(σ²_c + ε):
    /// dx = (g − mean_c(g) − x̂·mean_c(g ⊙ x̂)) / s_c. Under createGraph the same formula is built from
    /// recorded primitives (in x and g), so it can be differentiated again.
    public func batchNormalized(epsilon: Float) -> (output: Tensor, mean: [Float], variance: [Float]) {
        precondition(rank == 4, "batchNormalized: expects NCHW, got \(shape)")
        let statistics = BatchStatistics(self, epsilon: epsilon)
        let values = [Float].uninitialized(count) { out in
            statistics.forEachPlane(of: self) { x, channel, _, range in
                let (mu, inverse) = (statistics.mean[channel], statistics.inverse[channel])
                for i in range { out[i] = (x[i] - mu) * inverse }
            }
        }
        let (mean, variance) = (statistics.mean, statistics.variance)
        let output = Tensor(shape: shape, scalars: values)
        let normalized = output.detached()
        let result = Tensor.record(output, inputs: [self]) { g in
            if GradientMode.isRecording { return [self.batchNormPullbackComposed(g, epsilon: epsilon)] }
            return [Tensor.batchNormPullback(g, normalized: normalized, variance: variance, epsilon: epsilon)]
        }
        return (result, mean, variance)
    }

    /// The same normalisation from primitives (mean, subtract, multiply, sqrt, divide): the reference the
    /// fused op is tested against, and its path for gradients of gradients.
    public func batchNormalizedComposed(epsilon: Float) -> Tensor {
        let mean = self.mean(alongAxes: [0, 2, 3], keepingDimensions: true)
        let centered = self - mean
        let variance = (centered * centered).mean(alongAxes: [0, 2, 3], keepingDimensions: true)
        return centered / (variance + epsilon).sqrt()
    }

    /// The pullback formula from primitives, differentiable in both x and g.
    func batchNormPullbackComposed(_ g: Tensor, epsilon: Float) -> Tensor {
        let axes = [0, 2, 3]
        let centered = self - self.mean(alongAxes: axes, keepingDimensions: true)
        let deviation = ((centered * centered).mean(alongAxes: axes, keepingDimensions: true) + epsilon).sqrt()
        let normalized = centered / deviation
        let projection = normalized * (g * normalized).mean(alongAxes: axes, keepingDimensions: true)
        return (g - g.mean(alongAxes: axes, keepingDimensions: true) - projection) / deviation
    }

    static func batchNormPullback(_ g: Tensor, normalized: Tensor, variance: [Float], epsilon: Float) -> Tensor {
        let (n, c, plane) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
        let m = Double(n * plane)
        let values = [Float].uninitialized(g.count) { out in
            g.scalars.withUnsafeBufferPointer { pg in normalized.scalars.withUnsafeBufferPointer { px in
                Parallel.forEach(c, work: g.count) { channel in
                    var sumG: Double = 0, sumGX: Double = 0
                    for image in 0..<n {
                        let offset = (image * c + channel) * plane
                        let (g, gx) = Summation.doubleSumAndDot(pg.baseAddress! + offset, px.baseAddress! + offset, count: plane)
                        sumG += g; sumGX += gx
                    }
                    let (meanG, meanGX) = (Float(sumG / m), Float(sumGX / m))
                    let inverse = 1 / (variance[channel] + epsilon).squareRoot()
                    for image in 0..<n {
                        let offset = (image * c + channel) * plane
                        for i in 0..<plane { out[offset + i] = (pg[offset + i] - meanG - px[offset + i] * meanGX) * inverse }
                    }
                }
            } }
        }
        return Tensor(shape: g.shape, scalars: values)
    }
}

/// Per-channel batch mean μ_c, biased variance σ²_c and 1 / √(σ²_c + ε), summed in Double
/// plane by plane in image order. `batchNormalized` and `batchNormAffineReLU` both form x̂ = (x − μ_c) · inverse_c
/// from it, so their x̂ agree bit for bit.
struct BatchStatistics {
    let mean: [Float], variance: [Float], inverse: [Float]
    let n: Int, c: Int, plane: Int

    init(_ x: Tensor, epsilon: Float) {
        (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let (n, c, plane, m) = (n, c, plane, Double(n * plane))
        var mean = [Float](repeating: 0, count: c), variance = mean, inverse = mean
        x.scalars.withUnsafeBufferPointer { px in
            mean.withUnsafeMutableBufferPointer { pm in variance.withUnsafeMutableBufferPointer { pv in
                inverse.withUnsafeMutableBufferPointer { pi in
                    let (x, meanOut, varianceOut, inverseOut) = (px.baseAddress!, pm.baseAddress!, pv.baseAddress!, pi.baseAddress!)
                    Parallel.forEach(c, work: n * c * plane) { channel in
                        var total: Double = 0
                        for image in 0..<n { total += Summation.doubleSum(x + (image * c + channel) * plane, count: plane) }
                        let mu = Float(total / m)
                        var squares: Double = 0
                        for image in 0..<n {
                            squares += Summation.doubleSquaredDeviations(x + (image * c + channel) * plane, count: plane, center: mu)
                        }
                        let sigma2 = Float(squares / m)
                        (meanOut[channel], varianceOut[channel]) = (mu, sigma2)
                        inverseOut[channel] = 1 / (sigma2 + epsilon).squareRoot()
                    }
                }
            } }
        }
        (self.mean, self.variance, self.inverse) = (mean, variance, inverse)
    }

    /// Calls `body(x, channel, plane index n·C + c, element range)` for every plane, channels in parallel.
    func forEachPlane(of x: Tensor, _ body: (UnsafePointer<Float>, Int, Int, Range<Int>) -> Void) {
        let (n, c, plane) = (n, c, plane)
        x.scalars.withUnsafeBufferPointer { px in
            Parallel.forEach(c, work: n * c * plane) { channel in
                for image in 0..<n {
                    let index = image * c + channel
                    body(px.baseAddress!, channel, index, index * plane..<(index + 1) * plane)
                }
            }
        }
    }
}
