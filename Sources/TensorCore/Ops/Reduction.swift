// MARK: - Sums and means

extension Tensor {
    /// Σ over `axes`; reduced axes are kept with size 1 when `keepingDimensions`.
    /// Pullback: g broadcast back to the input's shape.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let reduced = Set(axes.map { Shape.axis($0, rank: rank) })
        var values = scalars
        var current = shape
        for axis in reduced.sorted(by: >) {
            let outer = Shape.count(Array(current[..<axis])), inner = Shape.count(Array(current[(axis + 1)...]))
            values = Elementwise.sumMiddleAxis(values, outer: outer, n: current[axis], inner: inner)
            current[axis] = 1
        }
        let kept = current
        let finalShape = keepingDimensions ? kept : shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        let inputShape = shape
        return Tensor.record(Tensor(shape: finalShape, scalars: values), inputs: [self]) { g in
            [g.reshaped(to: kept).broadcast(to: inputShape)]
        }
    }

    /// Σ of all elements, as a rank-0 tensor.
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// Mean over `axes`: Σ / (number of elements reduced).
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let n = Set(axes.map { Shape.axis($0, rank: rank) }).reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) * (1 / Float(n))
    }

    /// Mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

    /// The values repeated along broadcast axes to `newShape`. Pullback: g summed back to this shape.
    public func broadcast(to newShape: [Int]) -> Tensor {
        if newShape == shape { return self }
        let checked = Tensor.broadcastShape(self, Tensor(zeros: newShape), "broadcast(to:)")
        precondition(checked == newShape, "broadcast(to:): \(shape) does not broadcast to \(newShape)")
        let values = Elementwise.binary(scalars, shape, [0], [], outputShape: newShape, First.self)
        let inputShape = shape
        return Tensor.record(Tensor(shape: newShape, scalars: values), inputs: [self]) { g in
            [g.sum(toShape: inputShape)]
        }
    }

    /// Sums a broadcast result back to `target` (the adjoint of `broadcast(to:)`).
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        let leading = rank - target.count
        precondition(leading >= 0, "sum(toShape:): cannot reduce \(shape) to \(target)")
        var axes = Array(0..<leading)
        for (index, size) in target.enumerated() where size == 1 && shape[leading + index] != 1 {
            axes.append(leading + index)
        }
        return sum(alongAxes: axes, keepingDimensions: true).reshaped(to: target)
    }
}
