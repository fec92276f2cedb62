import TensorCore

/// Finite-difference verification of the tape's gradients.
///
/// For a function f of several tensors, it compares ∂L/∂xᵢ from `backward()` with the central
/// difference (L(x + εeᵢ) − L(x − εeᵢ)) / 2ε, where L = Σ f(x) ⊙ w for fixed random weights w,
/// so every entry of the Jacobian contributes.
public enum GradientCheck {
    public struct Mismatch: CustomStringConvertible {
        public let input: Int, element: Int
        public let analytic: Double, numeric: Double
        public var description: String {
            "input \(input) element \(element): tape \(analytic) vs finite difference \(numeric)"
        }
    }

    /// The mismatches beyond `absoluteTolerance + relativeTolerance·|numeric|` (empty when the check passes).
    public static func mismatches(_ inputs: [Tensor], epsilon: Float = 1e-2,
                                  absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 2e-2,
                                  seed: UInt64 = 99, _ f: ([Tensor]) -> Tensor) -> [Mismatch] {
        let leaves = inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGradient: true) }
        let output = f(leaves)
        var stream = RandomStream(seed: seed, name: "gradient-check-weights")
        let weights = Tensor(shape: output.shape, scalars: stream.uniforms(output.count).map { $0 + 0.5 })
        (output * weights).sum().backward()

        func loss(_ values: [Tensor]) -> Double {
            let y = withoutGradients { f(values) }
            return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var found: [Mismatch] = []
        for (inputIndex, input) in inputs.enumerated() {
            let analytic = leaves[inputIndex].gradient?.scalars ?? [Float](repeating: 0, count: input.count)
            for element in 0..<input.count {
                func shifted(_ delta: Float) -> Double {
                    var values = input.scalars
                    values[element] += delta
                    var arguments = inputs
                    arguments[inputIndex] = Tensor(shape: input.shape, scalars: values)
                    return loss(arguments)
                }
                let numeric = (shifted(epsilon) - shifted(-epsilon)) / (2 * Double(epsilon))
                let tape = Double(analytic[element])
                if abs(tape - numeric) > absoluteTolerance + relativeTolerance * abs(numeric) {
                    found.append(Mismatch(input: inputIndex, element: element, analytic: tape, numeric: numeric))
                }
            }
        }
        return found
    }

    /// Random test values from N(0, 1), kept at least `margin` away from 0 when `avoidingZero`
    /// (so that kinks such as relu's never lie within ε of a sample point).
    public static func sample(_ shape: [Int], seed: UInt64, avoidingZero margin: Float? = nil,
                              scale: Float = 1) -> Tensor {
        var stream = RandomStream(seed: seed, name: "gradient-check-inputs")
        let values = stream.normals(Shape.count(shape)).map { value -> Float in
            guard let margin else { return value * scale }
            return (value >= 0 ? max(value, margin) : min(value, -margin)) * scale
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Positive test values in [low, high) for functions defined on positives (log, sqrt, pow, division).
    public static func positive(_ shape: [Int], seed: UInt64, low: Float = 0.5, high: Float = 2) -> Tensor {
        var stream = RandomStream(seed: seed, name: "gradient-check-positive")
        return Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in stream.uniform(low, high) })
    }
}
