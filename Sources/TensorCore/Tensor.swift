import Foundation

/// A dense Float32 tensor in row-major (NCHW for images) layout, and a node of the autodiff tape.
///
/// Values are immutable once an op has produced them; gradients are accumulated into `gradient`
/// of leaf tensors that `requiresGradient`.
public final class Tensor {
    public let shape: [Int]
    /// Row-major values; `scalars.count == Shape.count(shape)`.
    public internal(set) var scalars: [Float]
    /// Whether gradients flow to this tensor (leaves: set by the user; results: set by the tape).
    public internal(set) var requiresGradient: Bool
    /// The accumulated gradient of a leaf after `backward()`.
    public var gradient: Tensor?
    /// How this tensor was computed, when it was recorded on the tape.
    var node: TapeNode?

    public init(shape: [Int], scalars: [Float], requiresGradient: Bool = false) {
        precondition(scalars.count == Shape.count(shape),
                     "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.shape = shape
        self.scalars = scalars
        self.requiresGradient = requiresGradient
    }

    public convenience init(zeros shape: [Int], requiresGradient: Bool = false) {
        self.init(shape: shape, scalars: [Float](repeating: 0, count: Shape.count(shape)),
                  requiresGradient: requiresGradient)
    }

    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Shape.count(shape)))
    }

    /// A rank-0 tensor.
    public convenience init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar: tensor has shape \(shape), not one element")
        return scalars[0]
    }

    /// Marks a leaf as trainable (gradients are accumulated into `gradient`).
    @discardableResult
    public func requiringGradient(_ flag: Bool = true) -> Tensor {
        precondition(node == nil, "requiringGradient: only leaves can be marked")
        requiresGradient = flag
        return self
    }

    /// The same values, cut from the tape: no gradient flows through the result. Shares storage (no copy),
    /// so pullbacks use it to keep a result's values without capturing the result itself.
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    /// Overwrites the values of a leaf in place (optimiser updates, loading weights).
    public func assign(_ newScalars: [Float]) {
        precondition(node == nil, "assign: only leaves can be overwritten")
        precondition(newScalars.count == count, "assign: \(newScalars.count) values for shape \(shape)")
        scalars = newScalars
    }

    /// In-place update of a leaf's values; the closure sees a mutable buffer.
    public func updateScalars(_ body: (inout [Float]) -> Void) {
        precondition(node == nil, "updateScalars: only leaves can be updated in place")
        body(&scalars)
        precondition(scalars.count == count, "updateScalars: the count must not change")
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(preview)\(count > 8 ? ", …" : "")]"
    }
}
