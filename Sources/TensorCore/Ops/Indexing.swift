// MARK: - Gather and scatter along an axis

/// Integer indices with a shape, for gather/scatter (torch.gather semantics).
public struct IndexTensor: Equatable, Sendable {
    public let shape: [Int]
    public let values: [Int]

    public init(shape: [Int], values: [Int]) {
        precondition(values.count == Shape.count(shape), "IndexTensor: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

extension Tensor {
    /// Visits every index position: `body(position in index, offset in the source or target tensor)`,
    /// where the offset replaces coordinate `axis` by the index value.
    private static func forEachIndexed(_ index: IndexTensor, axis: Int, tensorShape: [Int],
                                       _ body: (Int, Int) -> Void) {
        precondition(index.shape.count == tensorShape.count, "gather/scatter: index rank \(index.shape.count) ≠ tensor rank \(tensorShape.count)")
        for d in 0..<tensorShape.count where d != axis {
            precondition(index.shape[d] <= tensorShape[d], "gather/scatter: index shape \(index.shape) exceeds \(tensorShape) off axis \(axis)")
        }
        let indexStrides = Shape.strides(index.shape), tensorStrides = Shape.strides(tensorShape)
        for position in 0..<index.values.count {
            var offset = 0, remainder = position
            for d in 0..<index.shape.count {
                let coordinate = remainder / indexStrides[d]
                remainder %= indexStrides[d]
                if d == axis {
                    let value = index.values[position]
                    precondition(value >= 0 && value < tensorShape[axis], "gather/scatter: index \(value) outside 0..<\(tensorShape[axis])")
                    offset += value * tensorStrides[d]
                } else {
                    offset += coordinate * tensorStrides[d]
                }
            }
            body(position, offset)
        }
    }

    /// out[…, i, …] = x[…, index[…, i, …], …] along `axis` (torch.gather); out has the index's shape.
    /// Pullback: scatter-add of g into zeros of x's shape.
    public func gathered(alongAxis axis: Int, indices: IndexTensor) -> Tensor {
        let axis = Shape.axis(axis, rank: rank)
        var values = [Float](repeating: 0, count: indices.values.count)
        Tensor.forEachIndexed(indices, axis: axis, tensorShape: shape) { position, offset in
            values[position] = scalars[offset]
        }
        let inputShape = shape
        return Tensor.record(Tensor(shape: indices.shape, scalars: values), inputs: [self]) { g in
            [g.scatteredAdding(alongAxis: axis, indices: indices, into: inputShape)]
        }
    }

    /// The adjoint of gather: zeros of `shape`, then target[…, index[…, i, …], …] += self[…, i, …].
    /// Pullback: gather of g with the same indices.
    public func scatteredAdding(alongAxis axis: Int, indices: IndexTensor, into shape: [Int]) -> Tensor {
        let axis = Shape.axis(axis, rank: shape.count)
        precondition(indices.shape == self.shape, "scatteredAdding: index shape \(indices.shape) ≠ source shape \(self.shape)")
        var values = [Float](repeating: 0, count: Shape.count(shape))
        Tensor.forEachIndexed(indices, axis: axis, tensorShape: shape) { position, offset in
            values[offset] += scalars[position]
        }
        return Tensor.record(Tensor(shape: shape, scalars: values), inputs: [self]) { g in
            [g.gathered(alongAxis: axis, indices: indices)]
        }
    }

    /// Rows of a [V, D] table: out[i, :] = table[ids[i], :] (an embedding lookup by gather).
    public func rows(_ ids: [Int]) -> Tensor {
        precondition(rank == 2, "rows: expects a [V, D] table, got \(shape)")
        let width = shape[1]
        let index = IndexTensor(shape: [ids.count, width], values: ids.flatMap { Array(repeating: $0, count: width) })
        return gathered(alongAxis: 0, indices: index)
    }
}
