import Foundation

// MARK: - Elementwise functions
// Pullbacks reuse the forward's values when only first derivatives are needed; under createGraph
// (GradientMode recording inside backward) they recompute from the input with recorded ops, so the
// gradient can itself be differentiated.

extension Tensor {
    @inline(__always)
    func mapped(_ op: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: Elementwise.unary(scalars, op))
    }

    /// Values of a result as a constant tensor (shares storage; no copy, no tape link).
    func constant() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    /// eˣ. Pullback: g·eˣ.
    public func exp() -> Tensor {
        let y = mapped { Foundation.exp($0) }
        let value = y.constant()
        return Tensor.record(y, inputs: [self]) { g in [g * (GradientMode.isRecording ? self.exp() : value)] }
    }

    /// ln x. Pullback: g / x.
    public func log() -> Tensor {
        Tensor.record(mapped { Foundation.log($0) }, inputs: [self]) { g in [g / self] }
    }

    /// √x. Pullback: g / (2√x).
    public func sqrt() -> Tensor {
        let y = mapped { $0.squareRoot() }
        let value = y.constant()
        return Tensor.record(y, inputs: [self]) { g in [g / ((GradientMode.isRecording ? self.sqrt() : value) * 2)] }
    }

    /// xᵖ for a constant p. Pullback: g·p·xᵖ⁻¹.
    public func pow(_ p: Float) -> Tensor {
        let y = p == 2 ? mapped { $0 * $0 } : mapped { Foundation.pow($0, p) }
        return Tensor.record(y, inputs: [self]) { g in [g * (self.pow(p - 1) * p)] }
    }

    /// tanh x. Pullback: g·(1 − tanh²x).
    public func tanh() -> Tensor {
        let y = mapped { Foundation.tanh($0) }
        let value = y.constant()
        return Tensor.record(y, inputs: [self]) { g in
            let t = GradientMode.isRecording ? self.tanh() : value
            return [g * (1 - t * t)]
        }
    }

    /// σ(x) = 1 / (1 + e⁻ˣ). Pullback: g·σ(x)(1 − σ(x)).
    public func sigmoid() -> Tensor {
        let y = mapped { Tensor.sigmoid($0) }
        let value = y.constant()
        return Tensor.record(y, inputs: [self]) { g in
            let s = GradientMode.isRecording ? self.sigmoid() : value
            return [g * s * (1 - s)]
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    /// max(x, 0). Pullback: g·[x > 0].
    public func relu() -> Tensor { leakyRelu(slope: 0) }

    /// x for x > 0, slope·x otherwise. Pullback: g·(x > 0 ? 1 : slope).
    public func leakyRelu(slope: Float) -> Tensor {
        let y = mapped { $0 > 0 ? $0 : slope * $0 }
        return Tensor.record(y, inputs: [self]) { g in
            [g * self.mapped { $0 > 0 ? 1 : slope }]
        }
    }

    /// softplus(x) = ln(1 + eˣ), computed stably as max(x, 0) + ln(1 + e^−|x|). Pullback: g·σ(x).
    public func softplus() -> Tensor {
        let y = mapped { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }
        return Tensor.record(y, inputs: [self]) { g in [g * self.sigmoid()] }
    }
}
