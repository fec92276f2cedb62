import TensorCore

/// Whether a forward pass trains (batch statistics, spectral-norm power iterations) or evaluates
/// (running statistics, frozen spectral-norm vectors). Passed explicitly: there is no global mode.
public enum Phase: Sendable { case training, evaluation }

/// A loaded state that does not fit the model it is loaded into.
public struct StateError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Something with named trainable parameters and named persistent buffers (BN running statistics,
/// spectral-norm vectors). Names are stable and hierarchical ("block1.conv1.weight").
public protocol Module: AnyObject {
    func namedParameters() -> [(String, Tensor)]
    func namedBuffers() -> [(String, Tensor)]
}

extension Module {
    public func namedBuffers() -> [(String, Tensor)] { [] }

    /// Trainable tensors in a fixed order.
    public var parameters: [Tensor] { namedParameters().map(\.1) }

    /// Number of trainable scalars.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.count } }

    /// Every tensor needed to reproduce the module: parameters, then buffers.
    public func namedState() -> [(String, Tensor)] { namedParameters() + namedBuffers() }

    /// Overwrites parameters and buffers from `state`; every name must be present with its shape.
    public func load(state: [String: Tensor]) throws {
        for (name, tensor) in namedState() {
            guard let source = state[name] else { throw StateError(message: "missing tensor '\(name)'") }
            guard source.shape == tensor.shape else {
                throw StateError(message: "tensor '\(name)' has shape \(source.shape), expected \(tensor.shape)")
            }
            tensor.assign(source.scalars)
        }
    }

    /// Clears accumulated gradients of every parameter.
    public func zeroGradients() { for parameter in parameters { parameter.gradient = nil } }

    /// Runs `body` (forward and backward) with every parameter marked as not requiring a gradient, then
    /// marks them trainable again (also when `body` throws). Gradients still flow through the module to its
    /// inputs, but none is computed for its own weights: the G step's use of D, as in the official
    /// implementations' `requires_grad_(False)`.
    public func withFrozenParameters<Result>(_ body: () throws -> Result) rethrows -> Result {
        let frozen = parameters
        for parameter in frozen { parameter.requiringGradient(false) }
        defer { for parameter in frozen { parameter.requiringGradient(true) } }
        return try body()
    }
}

/// Joins child modules' names under prefixes: `prefixed([("conv1", conv1)], \.namedParameters)`.
public func prefixed(_ children: [(String, Module?)], _ list: (Module) -> [(String, Tensor)]) -> [(String, Tensor)] {
    children.flatMap { prefix, child in (child.map(list) ?? []).map { ("\(prefix).\($0.0)", $0.1) } }
}
