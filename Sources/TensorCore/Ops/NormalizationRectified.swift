// MARK: - Batch norm, per-channel affine and ReLU in one op (fused)
// Shapes: x [N, C, H, W]; scale and shift [1, C, 1, 1] (shared) or [N, C, 1, 1] (per image, BigGAN's
// class-conditional gains); statistics per channel over N·H·W = m values.

extension Tensor {
    /// r = ReLU(x̂ ⊙ scale + shift) with x̂ = (x − μ_c) / √(σ²_c + ε) from the batch statistics: a
    /// generator's `batchNormalized` → `channelAffine` → `relu()` in one op, with the same values and
    /// gradients bit for bit (each stage's arithmetic in its order), one output instead of three and two
    /// passes over memory in the pullback instead of five. Pullback, with y = x̂ ⊙ scale + shift,
    /// g₁ = g·[y > 0] and s_c = √(σ²_c + ε): dshift = Σ g₁, dscale = Σ g₁ ⊙ x̂ (over each plane, then over
    /// the batch for a shared operand), dx = (g₂ − mean_c(g₂) − x̂·mean_c(g₂ ⊙ x̂)) / s_c with g₂ = g₁ ⊙ scale.
    /// Under createGraph the same from recorded primitives. Returns the batch statistics for running averages.
    public func batchNormAffineReLU(scale: Tensor, shift: Tensor, epsilon: Float)
        -> (output: Tensor, mean: [Float], variance: [Float]) {
        precondition(rank == 4, "batchNormAffineReLU: expects NCHW, got \(shape)")
        let (n, c) = (shape[0], shape[1])
        for (name, operand) in [("scale", scale), ("shift", shift)] {
            precondition(operand.shape == [1, c, 1, 1] || operand.shape == [n, c, 1, 1],
                         "batchNormAffineReLU: \(name) \(operand.shape) is neither [1, \(c), 1, 1] nor [\(n), \(c), 1, 1]")
        }
        let statistics = BatchStatistics(self, epsilon: epsilon)
        let affine = AffineOperands(scale: scale, shift: shift)
        let values = [Float].uninitialized(count) { out in
            statistics.forEachPlane(of: self) { x, channel, index, range in
                let (factor, offset) = affine.operands(at: index)
                let (mu, inverse) = (statistics.mean[channel], statistics.inverse[channel])
                for i in range { out[i] = UnaryOperations.LeakyRelu(slope: 0).apply((x[i] - mu) * inverse * factor + offset) }
            }
        }
        let result = Tensor.record(Tensor(shape: shape, scalars: values), inputs: [self, scale, shift]) { g in
            if GradientMode.isRecording { return self.batchNormAffineReLUPullbackComposed(g, scale: scale, shift: shift, epsilon: epsilon) }
            return BatchNormAffineReLUPullback(x: self, g: g, statistics: statistics, affine: affine).gradients(scale: scale, shift: shift)
        }
        return (result, statistics.mean, statistics.variance)
    }

    /// The same pullback from recorded primitives (differentiable again), through the composed ops.
    private func batchNormAffineReLUPullbackComposed(_ g: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) -> [Tensor?] {
        let normalized = batchNormalizedComposed(epsilon: epsilon)
        let masked = g * (normalized * scale + shift).mapped(UnaryOperations.LeakyReluDerivative(slope: 0))
        return [batchNormPullbackComposed(masked * scale, epsilon: epsilon),
                (masked * normalized).sum(toShape: scale.shape), masked.sum(toShape: shift.shape)]
    }
}

/// A per-channel (or per-image-and-channel) scale and shift, looked up as `channelAffine` looks them up.
struct AffineOperands {
    let scale: [Float], shift: [Float]

    init(scale: Tensor, shift: Tensor) { (self.scale, self.shift) = (scale.scalars, shift.scalars) }

    /// (scale, shift) of plane `index` = image·C + channel.
    @inline(__always) func operands(at index: Int) -> (Float, Float) { (scale[index % scale.count], shift[index % shift.count]) }
}

/// The fused pullback. Per channel, one pass forms x̂, g₁ = g·[y > 0] and g₂ = g₁ ⊙ scale plane by plane and
/// sums them as `channelAffine`'s and `batchNormalized`'s pullbacks do (Double, plane by plane, images in
/// order), a second writes dx from the channel's kept x̂ and g₁.
struct BatchNormAffineReLUPullback {
    let x: Tensor, g: Tensor, statistics: BatchStatistics, affine: AffineOperands

    func gradients(scale: Tensor, shift: Tensor) -> [Tensor?] {
        let (n, c, plane) = (statistics.n, statistics.c, statistics.plane)
        var sums = [Double](repeating: 0, count: n * c), dots = sums  // per plane: Σ g₁, Σ g₁·x̂
        var dx = [Float](repeating: 0, count: x.requiresGradient ? x.count : 0)
        x.scalars.withUnsafeBufferPointer { px in g.scalars.withUnsafeBufferPointer { pg in
            sums.withUnsafeMutableBufferPointer { ps in dots.withUnsafeMutableBufferPointer { pd in
                dx.withUnsafeMutableBufferPointer { out in
                    let pointers = Pointers(x: px.baseAddress!, g: pg.baseAddress!, sums: ps.baseAddress!, dots: pd.baseAddress!,
                                            dx: x.requiresGradient ? out.baseAddress : nil)
                    Parallel.forEach(c, work: n * c * plane) { channel in channelPullback(channel, pointers) }
                }
            } }
        } }
        let gradientX = x.requiresGradient ? Tensor(shape: x.shape, scalars: dx) : nil
        return [gradientX, Tensor.planeSums(dots, reducedLike: scale), Tensor.planeSums(sums, reducedLike: shift)]
    }

    private struct Pointers {
        let x: UnsafePointer<Float>, g: UnsafePointer<Float>
        let sums: UnsafeMutablePointer<Double>, dots: UnsafeMutablePointer<Double>, dx: UnsafeMutablePointer<Float>?
    }

    private func channelPullback(_ channel: Int, _ p: Pointers) {
        let (n, c, plane) = (statistics.n, statistics.c, statistics.plane)
        let (mu, inverse) = (statistics.mean[channel], statistics.inverse[channel])
        // The channel's x̂ and g₁ [n, plane] and one plane of g₂, each written before it is read.
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (2 * n + 1) * plane)
        defer { scratch.deallocate() }
        let (xh, g1, g2) = (scratch, scratch + n * plane, scratch + 2 * n * plane)
        var sumG: Double = 0, sumGX: Double = 0
        for image in 0..<n {
            let index = image * c + channel, base = index * plane, local = image * plane
            let (factor, offset) = affine.operands(at: index)
            for i in 0..<plane {
                let value = (p.x[base + i] - mu) * inverse
                xh[local + i] = value
                g1[local + i] = UnaryOperations.LeakyReluGradient(slope: 0).apply(p.g[base + i], value * factor + offset)
                g2[i] = g1[local + i] * factor
            }
            (p.sums[index], p.dots[index]) = Summation.doubleSumAndDot(g1 + local, xh + local, count: plane)
            let (a, b) = Summation.doubleSumAndDot(g2, xh + local, count: plane)
            sumG += a; sumGX += b
        }
        guard let dx = p.dx else { return }
        let m = Double(n * plane)
        let (meanG, meanGX) = (Float(sumG / m), Float(sumGX / m))
        for image in 0..<n {
            let index = image * c + channel, base = index * plane, local = image * plane
            let factor = affine.operands(at: index).0
            for i in 0..<plane { dx[base + i] = (g1[local + i] * factor - meanG - xh[local + i] * meanGX) * inverse }
        }
    }
}
