// MARK: - Matrix product

extension Tensor {
    /// C = op(A)·op(B) for rank-2 tensors on sgemm, where op transposes when asked.
    /// Pullback (for C = A·B): dA = G·Bᵀ, dB = Aᵀ·G; the transposed cases follow by symmetry.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul: expects matrices, got \(a.shape) and \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        FLOPCounter.add(m * n * k)
        var values = [Float](repeating: 0, count: m * n)
        a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
            values.withUnsafeMutableBufferPointer { pc in
                GEMM.multiplyAcrossWorkers(m: m, n: n, k: k, a: pa.baseAddress!, transposeA: transposeA,
                                           b: pb.baseAddress!, transposeB: transposeB, c: pc.baseAddress!)
            }
        } }
        return record(Tensor(shape: [m, n], scalars: values), inputs: [a, b]) { g in
            let gradA: Tensor? = !a.requiresGradient ? nil : transposeA
                ? matmul(b, g, transposeA: transposeB, transposeB: true)
                : matmul(g, b, transposeB: !transposeB)
            let gradB: Tensor? = !b.requiresGradient ? nil : transposeB
                ? matmul(g, a, transposeA: true, transposeB: transposeA)
                : matmul(a, g, transposeA: !transposeA)
            return [gradA, gradB]
        }
    }
}
