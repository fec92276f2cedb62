import TensorCore

/// Spectral normalisation (Miyato et al., 2018): W / σ(W), with σ estimated by power iteration on W
/// viewed as a [rows, rest] matrix. Training runs one iteration per forward, v ← N(Wᵀu), u ← N(Wv) with
/// N(a) = a / max(‖a‖, ε), and updates the persistent u and v; evaluation reuses them. σ = uᵀWv with u, v
/// held constant, so the gradient flows through W only.
public final class SpectralNorm: Module {
    public let u: Tensor
    public let v: Tensor
    public let epsilon: Float

    public init(rows: Int, columns: Int, epsilon: Float = 1e-8, stream: inout RandomStream) {
        self.epsilon = epsilon
        u = Tensor(shape: [rows], scalars: SpectralNorm.normalized(stream.normals(rows), epsilon))
        v = Tensor(shape: [columns], scalars: SpectralNorm.normalized(stream.normals(columns), epsilon))
    }

    public func namedParameters() -> [(String, Tensor)] { [] }
    public func namedBuffers() -> [(String, Tensor)] { [("u", u), ("v", v)] }

    static func normalized(_ values: [Float], _ epsilon: Float) -> [Float] {
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { $0 / max(norm, epsilon) }
    }

    /// W / σ(W) for a weight of any rank whose first axis is `rows`.
    public func normalize(_ weight: Tensor, _ phase: Phase) -> Tensor {
        let rows = u.count, columns = v.count
        precondition(weight.count == rows * columns, "SpectralNorm: weight \(weight.shape) is not \(rows)×\(columns)")
        let matrix = weight.reshaped(to: [rows, columns])
        if phase == .training {
            withoutGradients {
                let w = matrix.detached()
                let newV = Tensor.matmul(u.reshaped(to: [1, rows]), w)  // (Wᵀu)ᵀ
                v.assign(SpectralNorm.normalized(newV.scalars, epsilon))
                let newU = Tensor.matmul(w, v.reshaped(to: [columns, 1]))
                u.assign(SpectralNorm.normalized(newU.scalars, epsilon))
            }
        }
        let sigma = (Tensor.matmul(matrix, v.reshaped(to: [columns, 1])).reshaped(to: [rows]) * u).sum()
        return weight / sigma
    }

    /// σ(W) as currently estimated (for tests and diagnostics).
    public func sigma(_ weight: Tensor) -> Float {
        withoutGradients {
            (Tensor.matmul(weight.reshaped(to: [u.count, v.count]), v.reshaped(to: [v.count, 1])).reshaped(to: [u.count]) * u).sum().scalar
        }
    }
}
