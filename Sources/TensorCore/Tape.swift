// MARK: - Recording

/// How a tape result was computed: its inputs and the pullback that maps the output's gradient
/// to one gradient per input (`nil` where the input needs none).
struct TapeNode {
    let inputs: [Tensor]
    let pullback: (Tensor) -> [Tensor?]
    /// The function that recorded the op (for `OpProfile`).
    let op: StaticString
}

/// Whether ops record themselves on the tape. Scoped per task (not a global), so evaluation code
/// can run under `withoutGradients` while another task trains.
public enum GradientMode {
    @TaskLocal public static var isRecording = true
}

/// Runs `body` with recording off: ops build no tape and results never require gradients.
public func withoutGradients<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

extension Tensor {
    /// Attaches `pullback` to `output` when recording is on and some input requires a gradient: the way
    /// every op, in this module or another, joins the tape. The pullback maps the output's gradient to one
    /// gradient per input (nil where none is needed), and must capture inputs or values, never `output`
    /// itself (a retain cycle). `op` names the op in profiles.
    @inline(__always)
    public static func record(_ output: Tensor, inputs: [Tensor], op: StaticString = #function,
                       pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        OpProfile.active?.recorded(op)
        guard GradientMode.isRecording, inputs.contains(where: { $0.requiresGradient }) else { return output }
        output.requiresGradient = true
        output.node = TapeNode(inputs: inputs, pullback: pullback, op: op)
        return output
    }
}

// MARK: - Backward pass

extension Tensor {
    /// Reverse-mode differentiation from this scalar: every leaf `x` that requires a gradient gets
    /// `x.gradient += ∂self/∂x`. With `createGraph`, the pullbacks are themselves recorded, so the
    /// gradients can be differentiated again (gradient penalties).
    public func backward(createGraph: Bool = false) {
        precondition(count == 1, "backward: start from a scalar, not shape \(shape)")
        backward(seed: Tensor(shape: shape, scalars: [1]), createGraph: createGraph)
    }

    /// Reverse pass from this tensor with an explicit upstream gradient `seed` of the same shape.
    public func backward(seed: Tensor, createGraph: Bool = false) {
        propagate(seed: seed, createGraph: createGraph) { leaf, gradient in
            leaf.gradient = leaf.gradient.map { $0 + gradient } ?? gradient
        }
    }

    /// ∂output/∂t for each t in `inputs` (zeros where t does not influence output), without touching any
    /// leaf's `gradient` (torch.autograd.grad). With `createGraph` the results are on the tape, so a
    /// penalty built from them (R1: ‖∂D(x)/∂x‖²) can be differentiated again.
    public static func gradients(of output: Tensor, withRespectTo inputs: [Tensor],
                                 createGraph: Bool = false) -> [Tensor] {
        precondition(output.count == 1, "gradients(of:): start from a scalar, not shape \(output.shape)")
        var found: [ObjectIdentifier: Tensor] = [:]
        let wanted = Set(inputs.map(ObjectIdentifier.init))
        output.propagate(seed: Tensor(shape: output.shape, scalars: [1]), createGraph: createGraph,
                         capturing: wanted, into: &found) { _, _ in }
        return inputs.map { found[ObjectIdentifier($0)] ?? Tensor(zeros: $0.shape) }
    }

    private func propagate(seed: Tensor, createGraph: Bool, deliverToLeaf: (Tensor, Tensor) -> Void) {
        var unused: [ObjectIdentifier: Tensor] = [:]
        propagate(seed: seed, createGraph: createGraph, capturing: [], into: &unused, deliverToLeaf: deliverToLeaf)
    }

    /// One reverse pass in topological order; the complete gradient of each tensor is known when it is
    /// reached. Tensors in `capturing` have theirs stored in `captured`; leaves are handed to `deliverToLeaf`.
    private func propagate(seed: Tensor, createGraph: Bool, capturing: Set<ObjectIdentifier>,
                           into captured: inout [ObjectIdentifier: Tensor],
                           deliverToLeaf: (Tensor, Tensor) -> Void) {
        precondition(seed.shape == shape, "backward: seed shape \(seed.shape) differs from \(shape)")
        guard requiresGradient else { return }
        let order = topologicalOrder()
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        var result = captured
        GradientMode.$isRecording.withValue(createGraph) {
            for tensor in order.reversed() {
                let key = ObjectIdentifier(tensor)
                guard let gradient = gradients.removeValue(forKey: key) else { continue }
                if capturing.contains(key) { result[key] = gradient }
                guard let node = tensor.node else {
                    if capturing.isEmpty { OpProfile.accumulating { deliverToLeaf(tensor, gradient) } }
                    continue
                }
                let inputGradients = OpProfile.active.map { $0.pulledBack(node.op) { node.pullback(gradient) } }
                    ?? node.pullback(gradient)
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard input.requiresGradient, let inputGradient else { continue }
                    precondition(inputGradient.shape == input.shape,
                                 "pullback returned \(inputGradient.shape) for input \(input.shape)")
                    let inputKey = ObjectIdentifier(input)
                    gradients[inputKey] = OpProfile.accumulating { gradients[inputKey].map { $0 + inputGradient } ?? inputGradient }
                }
            }
        }
        captured = result
    }

    /// Tensors reachable from self through the tape, inputs before the results that use them.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.requiresGradient
                && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
