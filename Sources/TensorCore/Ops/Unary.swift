import Foundation

// MARK: - Elementwise functions
// Pullbacks reuse the forward's values when only first derivatives are needed; under createGraph
// (GradientMode recording inside backward) they recompute from the input with recorded ops, so the
// gradient can itself be differentiated.

extension Tensor {
    @inline(__always)
    func mapped<Op: UnaryOperation>(_ op: Op) -> Tensor {
        Tensor(shape: shape, scalars: Elementwise.unary(scalars, op))
    }

    /// eˣ. Pullback: g·eˣ.
    public func exp() -> Tensor {
        let y = mapped(UnaryOperations.Exp())
        let value = y.detached()
        return Tensor.record(y, inputs: [self]) { g in [g * (GradientMode.isRecording ? self.exp() : value)] }
    }

    /// ln x. Pullback: g / x.
    public func log() -> Tensor {
        Tensor.record(mapped(UnaryOperations.Log()), inputs: [self]) { g in [g / self] }
    }

    /// √x. Pullback: g / (2√x).
    public func sqrt() -> Tensor {
        let y = mapped(UnaryOperations.SquareRoot())
        let value = y.detached()
        return Tensor.record(y, inputs: [self]) { g in [g / ((GradientMode.isRecording ? self.sqrt() : value) * 2)] }
    }

    /// xᵖ for a constant p. Pullback: g·p·xᵖ⁻¹.
    public func pow(_ p: Float) -> Tensor {
        let y = p == 2 ? mapped(UnaryOperations.Square()) : mapped(UnaryOperations.Power(p: p))
        return Tensor.record(y, inputs: [self]) { g in [g * (self.pow(p - 1) * p)] }
    }

    /// tanh x (16 lanes at a time: `VectorMath.tanh`). Pullback: g·(1 − tanh²x).
    public func tanh() -> Tensor {
        let y = Tensor(shape: shape, scalars: Elementwise.vectorMapped(scalars, VectorMath.tanh))
        let value = y.detached()
        return Tensor.record(y, inputs: [self]) { g in
            let t = GradientMode.isRecording ? self.tanh() : value
            return [g * (1 - t * t)]
        }
    }

    /// σ(x) = 1 / (1 + e⁻ˣ). Pullback: g·σ(x)(1 − σ(x)).
    public func sigmoid() -> Tensor {
        let y = mapped(UnaryOperations.Sigmoid())
        let value = y.detached()
        return Tensor.record(y, inputs: [self]) { g in
            let s = GradientMode.isRecording ? self.sigmoid() : value
            return [g * s * (1 - s)]
        }
    }

    /// max(x, 0). Pullback: g·[x > 0].
    public func relu() -> Tensor { leakyRelu(slope: 0) }

    /// x for x > 0, slope·x otherwise. Pullback: g·(x > 0 ? 1 : slope), in one pass over g and x
    /// (as recorded ops under createGraph).
    public func leakyRelu(slope: Float) -> Tensor {
        let y = mapped(UnaryOperations.LeakyRelu(slope: slope))
        return Tensor.record(y, inputs: [self]) { g in
            if GradientMode.isRecording { return [g * self.mapped(UnaryOperations.LeakyReluDerivative(slope: slope))] }
            return [Tensor(shape: g.shape, scalars: Elementwise.zipped(g.scalars, self.scalars, UnaryOperations.LeakyReluGradient(slope: slope)))]
        }
    }

    /// softplus(x) = ln(1 + eˣ), computed stably as max(x, 0) + ln(1 + e^−|x|). Pullback: g·σ(x).
    public func softplus() -> Tensor {
        let y = mapped(UnaryOperations.Softplus())
        return Tensor.record(y, inputs: [self]) { g in [g * self.sigmoid()] }
    }
}
