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
        let constants = AdamConstants(beta1: beta1, beta2: beta2, epsilon: epsilon, stepSize: learningRate / correction1,
                                      correction2: correction2)
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
                                    constants.apply(p: p, m: m, v: v, g: g, range: range)
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

/// One Adam step's scalars, applied element by element: each lane of the vector loop does the scalar
/// loop's operations in the same order (no fused multiply-adds), so the values are the same bit for bit.
struct AdamConstants {
    let beta1, beta2, epsilon, stepSize, correction2: Float

    /// m ← β₁m + (1 − β₁)g, v ← β₂v + ((1 − β₂)g)g, p ← p − (stepSize·m) / (√v / correction2 + ε) on `range`.
    func apply(p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
               g: UnsafePointer<Float>, range: Range<Int>) {
        let (b1, b2, eps, step, c2) = (beta1, beta2, epsilon, stepSize, correction2)
        let (gain1, gain2) = (1 - b1, 1 - b2)
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let gi = Self.load(g + i)
            let mi = b1 * Self.load(m + i) + gain1 * gi
            let vi = b2 * Self.load(v + i) + gain2 * gi * gi
            let pi = Self.load(p + i) - step * mi / (vi.squareRoot() / c2 + eps)
            Self.store(mi, m + i); Self.store(vi, v + i); Self.store(pi, p + i)
            i += 8
        }
        while i < range.upperBound {
            m[i] = b1 * m[i] + gain1 * g[i]
            v[i] = b2 * v[i] + gain2 * g[i] * g[i]
            p[i] -= step * m[i] / (v[i].squareRoot() / c2 + eps)
            i += 1
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load(UnsafePointer(pointer)) }

    @inline(__always)
    private static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
