// MARK: - Convolution by im2col + sgemm
// Shapes: x [N, C, H, W], weight [O, C, kh, kw], y [N, O, H', W'], L = H'·W'. Padding (ph, pw) adds
// ph zero rows above and below and pw zero columns left and right; the stride is the same on both axes.

extension [Float] {
    /// An array whose every element the caller writes before reading (skips zero-filling).
    @inline(__always)
    static func uninitialized(_ count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer.baseAddress!)
            initialized = count
        }
    }
}

extension Tensor {
    func convGeometry(kernel: (Int, Int), stride: Int, padding: (Int, Int)) -> ConvGeometry {
        precondition(rank == 4, "convolution: input must be NCHW, got \(shape)")
        return ConvGeometry(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
                            kernel: kernel, stride: stride, padding: padding)
    }

    /// conv2d with the same padding p on every side.
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        conv2d(weight, bias: bias, stride: stride, padding: (padding, padding))
    }

    /// y[n, o, i, j] = b[o] + Σ_{c, a, b} w[o, c, a, b] · x[n, c, i·s − ph + a, j·s − pw + b] (zero outside
    /// x; b = 0 without a bias). The bias is added to each chunk of output while it is in cache. 3×3
    /// stride-1 convolutions (and their gradients) run by Winograd F(4×4, 3×3), 4×4 stride-2 ones with
    /// padding 1 by Winograd F(2×2, 2×2) or F(4×4, 2×2) on the space-to-depth input (≥ 8 channels), the rest by im2col.
    /// Pullback: dx = convTranspose2d(g, w), dw = Σₙ g ⋆ x (the weight gradient), db[o] = Σ_{n,i,j} g[n, o, i, j].
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: (Int, Int)) -> Tensor {
        let (y, g) = convolved(weight, bias: bias, stride: stride, padding: padding, rectified: nil, op: "conv2d")
        return Tensor.record(y, inputs: [self, weight] + (bias.map { [$0] } ?? [])) { grad in
            self.conv2dPullback(grad, weight: weight, bias: bias, stride: stride, padding: padding, geometry: g)
        }
    }

    /// conv2d's pullback for the output gradient `grad`: [dx, dw] and db when there is a bias, nil for an
    /// operand that needs no gradient.
    private func conv2dPullback(_ grad: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: (Int, Int),
                                geometry g: ConvGeometry) -> [Tensor?] {
        [requiresGradient
            ? grad.convTranspose2d(weight, stride: stride, padding: padding, outputSize: (g.height, g.width)) : nil,
         weight.requiresGradient
            ? Tensor.conv2dWeightGradient(input: self, outputGradient: grad, kernel: (g.kernelHeight, g.kernelWidth),
                                          stride: stride, padding: padding) : nil]
            + (bias.map { [$0.requiresGradient ? grad.sum(alongAxes: [0, 2, 3]) : nil] } ?? [])
    }

    /// The forward of `conv2d` (and with `rectified`, of `conv2dLeakyReLU`): checks the shapes, naming `op`,
    /// and returns y with the geometry it was computed in.
    private func convolved(_ weight: Tensor, bias: Tensor?, stride: Int, padding: (Int, Int), rectified: Float?,
                           op: String) -> (Tensor, ConvGeometry) {
        precondition(weight.rank == 4 && rank == 4 && weight.shape[1] == shape[1],
                     "\(op): weight \(weight.shape) does not fit input \(shape) (want [O, \(rank == 4 ? shape[1] : 0), kh, kw])")
        let g = convGeometry(kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding)
        precondition(g.outputHeight > 0 && g.outputWidth > 0, "\(op): kernel larger than padded input \(shape)")
        let outChannels = weight.shape[0]
        precondition(bias == nil || bias!.shape == [outChannels], "\(op): bias \(bias?.shape ?? []) is not [\(outChannels)]")
        FLOPCounter.add(outChannels * g.patchSize * g.batch * g.outputPlane)
        let values = [Float].uninitialized(g.batch * outChannels * g.outputPlane) { y in
            ConvolutionKernels.forward(x: scalars, weight: weight.scalars, bias: bias?.scalars, outChannels: outChannels,
                                       geometry: g, y: y, rectified: rectified)
        }
        return (Tensor(shape: [g.batch, outChannels, g.outputHeight, g.outputWidth], scalars: values), g)
    }

    /// y = r(conv2d(x, w, b)) with the leaky rectifier r(z) = z > 0 ? z : s·z (s = `slope` ≥ 0; s = 0 is
    /// ReLU), applied to each chunk of output while it is in cache instead of in a second pass over y: the
    /// discriminators' conv → leaky ReLU, and inference networks' conv → bias → ReLU (Inception-v3 runs 94
    /// per image). The same values as `conv2d(…).leakyRelu(slope:)`. Pullback: ḡ = g ⊙ (y > 0 ? 1 : s) (y > 0
    /// exactly where z > 0, since s ≥ 0), then conv2d's pullback of ḡ; under createGraph the mask is a
    /// constant factor of recorded ops.
    public func conv2dLeakyReLU(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: (Int, Int),
                                slope: Float) -> Tensor {
        precondition(slope >= 0, "conv2dLeakyReLU: slope \(slope) is negative (the mask reads the sign of the output)")
        let (y, g) = convolved(weight, bias: bias, stride: stride, padding: padding, rectified: slope, op: "conv2dLeakyReLU")
        let output = y.detached()
        return Tensor.record(y, inputs: [self, weight] + (bias.map { [$0] } ?? [])) { grad in
            let masked = GradientMode.isRecording
                ? grad * output.mapped(UnaryOperations.LeakyReluDerivative(slope: slope))
                : Tensor(shape: grad.shape,
                         scalars: Elementwise.zipped(grad.scalars, output.scalars, UnaryOperations.LeakyReluGradient(slope: slope)))
            return self.conv2dPullback(masked, weight: weight, bias: bias, stride: stride, padding: padding, geometry: g)
        }
    }

    /// relu(conv2d(x, w, b)): `conv2dLeakyReLU` with slope 0.
    public func conv2dReLU(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: (Int, Int)) -> Tensor {
        conv2dLeakyReLU(weight, bias: bias, stride: stride, padding: padding, slope: 0)
    }

    /// convTranspose2d with the same padding p on every side.
    public func convTranspose2d(_ weight: Tensor, stride: Int = 1, padding: Int = 0,
                                outputSize: (Int, Int)? = nil) -> Tensor {
        convTranspose2d(weight, stride: stride, padding: (padding, padding), outputSize: outputSize)
    }

    /// The adjoint of conv2d in its input: x [N, Cin, H, W] and weight [Cin, Cout, kh, kw] give
    /// y [N, Cout, H₀, W₀] with H₀ = (H − 1)·s − 2·ph + kh unless `outputSize` picks another valid size.
    /// Pullback: dx = conv2d(g, w), dw = weight gradient of that conv with input g and output gradient x.
    public func convTranspose2d(_ weight: Tensor, stride: Int = 1, padding: (Int, Int),
                                outputSize: (Int, Int)? = nil) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[0] == shape[1],
                     "convTranspose2d: weight \(weight.shape) does not fit input \(shape) (want [\(rank == 4 ? shape[1] : 0), Cout, kh, kw])")
        let (inChannels, outChannels) = (shape[1], weight.shape[1])
        let kernel = (weight.shape[2], weight.shape[3])
        let size = outputSize ?? ((shape[2] - 1) * stride - 2 * padding.0 + kernel.0,
                                  (shape[3] - 1) * stride - 2 * padding.1 + kernel.1)
        let g = ConvGeometry(batch: shape[0], channels: outChannels, height: size.0, width: size.1,
                             kernel: kernel, stride: stride, padding: padding)
        precondition(g.outputHeight == shape[2] && g.outputWidth == shape[3],
                     "convTranspose2d: output size \(size) does not map back to input \(shape)")
        FLOPCounter.add(inChannels * g.patchSize * g.batch * g.outputPlane)
        let values = [Float].uninitialized(g.batch * outChannels * size.0 * size.1) { y in
            ConvolutionKernels.transposed(dy: scalars, weight: weight.scalars, outChannels: inChannels, geometry: g, x: y)
        }
        let y = Tensor(shape: [g.batch, outChannels, size.0, size.1], scalars: values)
        return Tensor.record(y, inputs: [self, weight]) { grad in
            [self.requiresGradient ? grad.conv2d(weight, stride: stride, padding: padding) : nil,
             weight.requiresGradient
                ? Tensor.conv2dWeightGradient(input: grad, outputGradient: self, kernel: kernel,
                                              stride: stride, padding: padding) : nil]
        }
    }

    /// dw[o, c, a, b] = Σ_{n, i, j} dy[n, o, i, j] · x[n, c, i·s − ph + a, j·s − pw + b], the gradient of
    /// conv2d in its weight. It is bilinear, so its own pullback is two convolutions with the weight G:
    /// d(input) = convTranspose2d(dy, G), d(outputGradient) = conv2d(x, G).
    public static func conv2dWeightGradient(input x: Tensor, outputGradient dy: Tensor,
                                            kernel: (Int, Int), stride: Int, padding: (Int, Int)) -> Tensor {
        let g = x.convGeometry(kernel: kernel, stride: stride, padding: padding)
        precondition(dy.rank == 4 && dy.shape[0] == g.batch && dy.shape[2] == g.outputHeight && dy.shape[3] == g.outputWidth,
                     "conv2dWeightGradient: output gradient \(dy.shape) does not match input \(x.shape)")
        let outChannels = dy.shape[1]
        FLOPCounter.add(outChannels * g.patchSize * g.batch * g.outputPlane)
        let values = [Float].uninitialized(outChannels * g.patchSize) { dw in
            ConvolutionKernels.weightGradient(x: x.scalars, dy: dy.scalars, outChannels: outChannels, geometry: g, dw: dw)
        }
        let dw = Tensor(shape: [outChannels, g.channels, kernel.0, kernel.1], scalars: values)
        return record(dw, inputs: [x, dy]) { grad in
            [x.requiresGradient
                ? dy.convTranspose2d(grad, stride: stride, padding: padding, outputSize: (g.height, g.width)) : nil,
             dy.requiresGradient ? x.conv2d(grad, stride: stride, padding: padding) : nil]
        }
    }

    /// conv2dWeightGradient for a square k×k kernel and padding p on every side.
    public static func conv2dWeightGradient(input x: Tensor, outputGradient dy: Tensor,
                                            kernel: Int, stride: Int, padding: Int) -> Tensor {
        conv2dWeightGradient(input: x, outputGradient: dy, kernel: (kernel, kernel), stride: stride, padding: (padding, padding))
    }
}
