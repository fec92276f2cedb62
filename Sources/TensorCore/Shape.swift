// MARK: - Shapes

/// A shape mismatch between two tensors; the message prints both shapes.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public let operation: String
    public let lhs: [Int]
    public let rhs: [Int]
    public let detail: String

    public var description: String {
        "\(operation): incompatible shapes \(lhs) and \(rhs)" + (detail.isEmpty ? "" : " (\(detail))")
    }
}

public enum Shape {
    /// Number of elements: the product of the dimensions (1 for a scalar shape `[]`).
    @inlinable public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides: `strides[i] = Π_{j>i} shape[j]`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// NumPy broadcasting: align on the right; each pair of dimensions must be equal or contain a 1.
    public static func broadcast(_ lhs: [Int], _ rhs: [Int]) throws -> [Int] {
        let rank = max(lhs.count, rhs.count)
        let a = [Int](repeating: 1, count: rank - lhs.count) + lhs
        let b = [Int](repeating: 1, count: rank - rhs.count) + rhs
        var result = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            if a[axis] == b[axis] || b[axis] == 1 { result[axis] = a[axis] }
            else if a[axis] == 1 { result[axis] = b[axis] }
            else {
                throw ShapeError(operation: "broadcast", lhs: lhs, rhs: rhs,
                                 detail: "axis \(axis) has \(a[axis]) vs \(b[axis])")
            }
        }
        return result
    }

    /// Normalises a possibly negative axis against a rank.
    @inlinable public static func axis(_ axis: Int, rank: Int) -> Int {
        let normalised = axis < 0 ? axis + rank : axis
        precondition(normalised >= 0 && normalised < max(rank, 1), "axis \(axis) out of range for rank \(rank)")
        return normalised
    }
}

/// Index rules of image planes that several targets share (an augmentation and a metric must turn an
/// image the same way).
public enum PlaneIndexing {
    /// Where output (i, j) of `quarterTurns` anticlockwise quarter turns of a side × side plane reads from:
    /// one turn gives out[i, j] = x[j, side − 1 − i]; negative turns go clockwise.
    @inlinable
    public static func quarterTurnSource(_ i: Int, _ j: Int, side: Int, quarterTurns: Int) -> (row: Int, column: Int) {
        var (r, c) = (i, j)
        for _ in 0..<((quarterTurns % 4 + 4) % 4) { (r, c) = (c, side - 1 - r) }
        return (r, c)
    }
}
