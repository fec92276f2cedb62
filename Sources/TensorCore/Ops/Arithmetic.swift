// MARK: - Broadcasting binary ops

extension Tensor {
    /// The broadcast shape of two operands; a mismatch stops with both shapes in the message.
    static func broadcastShape(_ a: Tensor, _ b: Tensor, _ operation: String) -> [Int] {
        do { return try Shape.broadcast(a.shape, b.shape) } catch let error as ShapeError {
            preconditionFailure("\(operation): \(error)")
        } catch { preconditionFailure("\(error)") }
    }

    @inline(__always)
    static func binary<Op: BinaryOperation>(_ a: Tensor, _ b: Tensor, _ name: String, _ op: Op.Type) -> Tensor {
        let shape = broadcastShape(a, b, name)
        return Tensor(shape: shape, scalars: Elementwise.binary(a.scalars, a.shape, b.scalars, b.shape,
                                                                outputShape: shape, op))
    }
}

/// a + b with broadcasting. Pullback: (g, g), each summed back to its operand's shape.
public func + (a: Tensor, b: Tensor) -> Tensor {
    Tensor.record(Tensor.binary(a, b, "add", Add.self), inputs: [a, b]) { g in
        [a.requiresGradient ? g.sum(toShape: a.shape) : nil, b.requiresGradient ? g.sum(toShape: b.shape) : nil]
    }
}

/// a − b with broadcasting. Pullback: (g, −g).
public func - (a: Tensor, b: Tensor) -> Tensor {
    Tensor.record(Tensor.binary(a, b, "subtract", Subtract.self), inputs: [a, b]) { g in
        [a.requiresGradient ? g.sum(toShape: a.shape) : nil, b.requiresGradient ? (-g).sum(toShape: b.shape) : nil]
    }
}

/// a ⊙ b with broadcasting. Pullback: (g ⊙ b, g ⊙ a).
public func * (a: Tensor, b: Tensor) -> Tensor {
    Tensor.record(Tensor.binary(a, b, "multiply", Multiply.self), inputs: [a, b]) { g in
        [a.requiresGradient ? (g * b).sum(toShape: a.shape) : nil,
         b.requiresGradient ? (g * a).sum(toShape: b.shape) : nil]
    }
}

/// a / b with broadcasting. Pullback: (g / b, −g·a / b²); for a one-element b (W / σ(W) in spectral
/// norm) the second is −(Σ g·a) / b², one dot product instead of three full-size temporaries.
public func / (a: Tensor, b: Tensor) -> Tensor {
    Tensor.record(Tensor.binary(a, b, "divide", Divide.self), inputs: [a, b]) { g in
        let gradB: Tensor? = !b.requiresGradient ? nil
            : b.count == 1 && g.shape == a.shape && !GradientMode.isRecording ? Tensor.scalarDivisorGradient(g, a, b)
            : (-(g * a) / (b * b)).sum(toShape: b.shape)
        return [a.requiresGradient ? (g / b).sum(toShape: a.shape) : nil, gradB]
    }
}

extension Tensor {
    /// −(Σᵢ gᵢ·aᵢ) / b² for a one-element b, accumulated in Double, shaped like b.
    static func scalarDivisorGradient(_ g: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let dot = g.scalars.withUnsafeBufferPointer { g in a.scalars.withUnsafeBufferPointer { a in
            Summation.doubleDot(g.baseAddress!, a.baseAddress!, count: g.count)
        } }
        let divisor = Double(b.scalars[0])
        return Tensor(shape: b.shape, scalars: [Float(-dot / (divisor * divisor))])
    }
}

// MARK: - Scalar ops

/// −x. Pullback: −g.
public prefix func - (x: Tensor) -> Tensor {
    Tensor.record(Tensor(shape: x.shape, scalars: Elementwise.unary(x.scalars, UnaryOperations.Negate())), inputs: [x]) { g in [-g] }
}

/// x + s. Pullback: g.
public func + (x: Tensor, s: Float) -> Tensor {
    Tensor.record(Tensor(shape: x.shape, scalars: Elementwise.unary(x.scalars, UnaryOperations.AddConstant(c: s))), inputs: [x]) { g in [g] }
}

/// x · s. Pullback: g · s.
public func * (x: Tensor, s: Float) -> Tensor {
    Tensor.record(Tensor(shape: x.shape, scalars: Elementwise.unary(x.scalars, UnaryOperations.Scale(c: s))), inputs: [x]) { g in [g * s] }
}

public func + (s: Float, x: Tensor) -> Tensor { x + s }
public func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
/// s − x
public func - (s: Float, x: Tensor) -> Tensor { -x + s }
public func * (s: Float, x: Tensor) -> Tensor { x * s }
public func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }

extension Tensor {
    /// x ⊙ mask for a constant (non-differentiable) mask that broadcasts against x, such as a
    /// per-sample [N, 1, H, W] cutout mask. Pullback: g ⊙ mask.
    public func masked(by mask: Tensor) -> Tensor {
        precondition(!mask.requiresGradient, "masked(by:): the mask must be a constant")
        return self * mask
    }
}
