import Foundation
import TensorCore

/// Adam (Kingma & Ba, 2015) exactly as PyTorch computes it, in Float32:
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
public final class Adam {
    public let parameters: [(String, Tensor)]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public private(set) var step: Int = 0
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    public init(parameters: [(String, Tensor)], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.1.count) }
        secondMoments = firstMoments
    }

    /// One update from each parameter's accumulated gradient (a parameter without one is left alone,
    /// as PyTorch does), then the gradients are cleared.
    public func update() {
        step += 1
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let correction2 = (1 - Float(Foundation.pow(Double(beta2), Double(step)))).squareRoot()
        let stepSize = learningRate / correction1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        for (index, (_, parameter)) in parameters.enumerated() {
            guard let gradient = parameter.gradient?.scalars else { continue }
            parameter.updateScalars { scalars in
                scalars.withUnsafeMutableBufferPointer { p in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            gradient.withUnsafeBufferPointer { g in
                                let (p, m, v, g) = (p.baseAddress!, m.baseAddress!, v.baseAddress!, g.baseAddress!)
                                // Element by element, so splitting the range over the workers changes nothing.
                                Parallel.forRanges(gradient.count) { range in
                                    for i in range {
                                        m[i] = b1 * m[i] + (1 - b1) * g[i]
                                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                        p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            parameter.gradient = nil
        }
    }

    /// The optimiser's state for a checkpoint: moments by parameter name, and the step.
    public func state() -> (step: Int, tensors: [(String, Tensor)]) {
        let tensors = parameters.enumerated().flatMap { index, named in
            [("m." + named.0, Tensor(shape: named.1.shape, scalars: firstMoments[index])),
             ("v." + named.0, Tensor(shape: named.1.shape, scalars: secondMoments[index]))]
        }
        return (step, tensors)
    }

    /// Restores what `state()` returned.
    public func load(step: Int, tensors: [String: Tensor]) throws {
        for (index, (name, parameter)) in parameters.enumerated() {
            guard let m = tensors["m." + name], let v = tensors["v." + name] else {
                throw StateError(message: "optimiser state lacks moments of '\(name)'")
            }
            guard m.count == parameter.count, v.count == parameter.count else {
                throw StateError(message: "optimiser moments of '\(name)' have the wrong size")
            }
            firstMoments[index] = m.scalars
            secondMoments[index] = v.scalars
        }
        self.step = step
    }
}
