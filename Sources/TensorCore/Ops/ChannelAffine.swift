// MARK: - Per-channel scale and shift (fused)
// Shapes: x [N, C, H, W]; scale and shift [1, C, 1, 1] (shared by the batch) or [N, C, 1, 1] (per image).

extension Tensor {
    /// y = x ⊙ scale + shift with one scale and shift per channel (or per image and channel): batch norm's
    /// affine step and the class-conditional gains of BigGAN, in one pass. Pullback: dx = g ⊙ scale,
    /// dscale = Σ g ⊙ x and dshift = Σ g over each plane (and over the batch for a shared scale), accumulated
    /// in Double; under createGraph the same from recorded primitives.
    public func channelAffine(scale: Tensor, shift: Tensor) -> Tensor {
        precondition(rank == 4, "channelAffine: expects NCHW, got \(shape)")
        let (n, c, plane) = (shape[0], shape[1], shape[2] * shape[3])
        for (name, operand) in [("scale", scale), ("shift", shift)] {
            precondition(operand.shape == [1, c, 1, 1] || operand.shape == [n, c, 1, 1],
                         "channelAffine: \(name) \(operand.shape) is neither [1, \(c), 1, 1] nor [\(n), \(c), 1, 1]")
        }
        let values = [Float].uninitialized(count) { out in
            scalars.withUnsafeBufferPointer { x in scale.scalars.withUnsafeBufferPointer { s in
                shift.scalars.withUnsafeBufferPointer { b in
                    let (px, ps, pb) = (x.baseAddress!, s.baseAddress!, b.baseAddress!)
                    let (scalePlanes, shiftPlanes) = (scale.count, shift.count)
                    Parallel.forEach(n * c, work: count) { index in
                        let (factor, offset) = (ps[index % scalePlanes], pb[index % shiftPlanes])
                        let source = px + index * plane, target = out + index * plane
                        for i in 0..<plane { target[i] = source[i] * factor + offset }
                    }
                }
            } }
        }
        return Tensor.record(Tensor(shape: shape, scalars: values), inputs: [self, scale, shift]) { g in
            if GradientMode.isRecording {
                return [g * scale, (g * self).sum(toShape: scale.shape), g.sum(toShape: shift.shape)]
            }
            return Tensor.channelAffinePullback(g, x: self, scale: scale, shift: shift)
        }
    }

    static func channelAffinePullback(_ g: Tensor, x: Tensor, scale: Tensor, shift: Tensor) -> [Tensor?] {
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var gradientX: Tensor? = nil
        if x.requiresGradient {
            gradientX = Tensor(shape: x.shape, scalars: [Float].uninitialized(x.count) { out in
                g.scalars.withUnsafeBufferPointer { pg in scale.scalars.withUnsafeBufferPointer { ps in
                    let (source, factors) = (pg.baseAddress!, ps.baseAddress!)
                    Parallel.forEach(n * c, work: x.count) { index in
                        let factor = factors[index % scale.count], from = source + index * plane, to = out + index * plane
                        for i in 0..<plane { to[i] = from[i] * factor }
                    }
                } }
            })
        }
        // Per plane: (Σ g, Σ g·x); then summed over the batch in image order for a shared scale or shift.
        var sums = [Double](repeating: 0, count: n * c), dots = sums
        g.scalars.withUnsafeBufferPointer { pg in x.scalars.withUnsafeBufferPointer { px in
            sums.withUnsafeMutableBufferPointer { sums in dots.withUnsafeMutableBufferPointer { dots in
                let (ps, pd) = (sums.baseAddress!, dots.baseAddress!)
                Parallel.forEach(n * c, work: x.count) { index in
                    (ps[index], pd[index]) = Summation.doubleSumAndDot(pg.baseAddress! + index * plane, px.baseAddress! + index * plane,
                                                                       count: plane)
                }
            } }
        } }
        return [gradientX, planeSums(dots, reducedLike: scale), planeSums(sums, reducedLike: shift)]
    }

    /// The gradient of a per-channel (or per-image-and-channel) operand from its per-plane sums (index
    /// image·C + channel): summed over the batch in image order for a shared operand, in Double; nil when
    /// the operand needs no gradient.
    static func planeSums(_ perPlane: [Double], reducedLike operand: Tensor) -> Tensor? {
        guard operand.requiresGradient else { return nil }
        var totals = [Double](repeating: 0, count: operand.count)
        for index in perPlane.indices { totals[index % operand.count] += perPlane[index] }
        return Tensor(shape: operand.shape, scalars: totals.map(Float.init))
    }
}
