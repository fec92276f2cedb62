// MARK: - Reshape and permute

extension Tensor {
    /// The same values under a new shape with the same element count. Pullback: g reshaped back.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            resolved[inferred] = count / Swift.max(1, Shape.count(newShape.filter { $0 != -1 }))
        }
        precondition(Shape.count(resolved) == count, "reshaped(to:): \(shape) has \(count) elements, not \(resolved)")
        if resolved == shape { return self }
        let inputShape = shape
        return Tensor.record(Tensor(shape: resolved, scalars: scalars), inputs: [self]) { g in
            [g.reshaped(to: inputShape)]
        }
    }

    /// Axes reordered: result axis i is input axis `order[i]`. Pullback: permute by the inverse order.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permuted: \(order) is not a permutation of \(rank) axes")
        let outputShape = order.map { shape[$0] }
        let inputStrides = Shape.strides(shape)
        let permutedStrides = order.map { inputStrides[$0] }
        var values = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        for target in 0..<count {
            values[target] = scalars[source]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                source += permutedStrides[axis]
                if index[axis] < outputShape[axis] { break }
                source -= permutedStrides[axis] * outputShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return Tensor.record(Tensor(shape: outputShape, scalars: values), inputs: [self]) { g in [g.permuted(inverse)] }
    }
}

// MARK: - Concatenate, slice, pad

extension Tensor {
    /// Tensors joined along `axis`; all other dimensions must agree. Pullback: slices of g.
    public static func concatenated(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenated: nothing to join")
        let first = tensors[0]
        let axis = Shape.axis(axis, rank: first.rank)
        for tensor in tensors {
            var a = tensor.shape, b = first.shape
            a[axis] = 0; b[axis] = 0
            precondition(a == b, "concatenated: \(tensor.shape) and \(first.shape) differ off axis \(axis)")
        }
        let outer = Shape.count(Array(first.shape[..<axis]))
        let inner = Shape.count(Array(first.shape[(axis + 1)...]))
        let total = tensors.reduce(0) { $0 + $1.shape[axis] }
        let values = Self.joinedRuns(tensors.map(\.scalars), runs: tensors.map { $0.shape[axis] * inner }, outer: outer)
        var shape = first.shape
        shape[axis] = total
        let sizes = tensors.map { $0.shape[axis] }
        return record(Tensor(shape: shape, scalars: values), inputs: tensors) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.sliced(alongAxis: axis, start ..< start + size)
            }
        }
    }

    /// For each o < `outer`, run o of every part in turn (part i's runs are `runs[i]` long): the values of a
    /// concatenation, copied on the workers (an Inception block joins ~10 MB per batch of 50).
    static func joinedRuns(_ parts: [[Float]], runs: [Int], outer: Int) -> [Float] {
        let total = runs.reduce(0, +)
        return [Float].uninitialized(outer * total) { out in
            var offset = 0
            for (part, run) in zip(parts, runs) {
                part.withUnsafeBufferPointer { source in
                    guard run > 0, let source = source.baseAddress else { return }
                    Parallel.forEach(outer, work: outer * run) { o in
                        (out + o * total + offset).update(from: source + o * run, count: run)
                    }
                }
                offset += run
            }
        }
    }

    /// The elements at positions `range` of `axis`. Pullback: g zero-padded back to the input.
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = Shape.axis(axis, rank: rank)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "sliced: \(range) outside axis \(axis) of \(shape)")
        let outer = Shape.count(Array(shape[..<axis])), inner = Shape.count(Array(shape[(axis + 1)...]))
        var values = [Float](); values.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            let base = (o * shape[axis]) * inner
            values.append(contentsOf: scalars[(base + range.lowerBound * inner)..<(base + range.upperBound * inner)])
        }
        var outputShape = shape
        outputShape[axis] = range.count
        let after = shape[axis] - range.upperBound
        return Tensor.record(Tensor(shape: outputShape, scalars: values), inputs: [self]) { g in
            [g.padded(alongAxis: axis, before: range.lowerBound, after: after)]
        }
    }

    /// Zeros added before and after along one axis. Pullback: the matching slice of g.
    public func padded(alongAxis axis: Int, before: Int, after: Int, value: Float = 0) -> Tensor {
        let axis = Shape.axis(axis, rank: rank)
        precondition(before >= 0 && after >= 0, "padded: negative padding")
        let outer = Shape.count(Array(shape[..<axis])), inner = Shape.count(Array(shape[(axis + 1)...]))
        let n = shape[axis], total = before + n + after
        var values = [Float](repeating: value, count: outer * total * inner)
        for o in 0..<outer {
            values.replaceSubrange(((o * total + before) * inner)..<((o * total + before + n) * inner),
                                   with: scalars[(o * n * inner)..<((o + 1) * n * inner)])
        }
        var outputShape = shape
        outputShape[axis] = total
        return Tensor.record(Tensor(shape: outputShape, scalars: values), inputs: [self]) { g in
            [g.sliced(alongAxis: axis, before ..< before + n)]
        }
    }

    /// Zero padding of the two spatial axes of NCHW by `amount` on every side.
    public func padded(spatially amount: Int, value: Float = 0) -> Tensor {
        precondition(rank == 4, "padded(spatially:): expects NCHW, got \(shape)")
        return padded(alongAxis: 2, before: amount, after: amount, value: value)
            .padded(alongAxis: 3, before: amount, after: amount, value: value)
    }
}
