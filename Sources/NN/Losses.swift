import TensorCore

/// GAN and classification losses; D outputs are raw scores (logits).
public enum Loss {
    /// Hinge loss for D: mean(relu(1 − D(x))) + mean(relu(1 + D(G(z)))).
    public static func hingeDiscriminator(real: Tensor, fake: Tensor) -> Tensor {
        (1 - real).relu().mean() + (fake + 1).relu().mean()
    }

    /// Hinge loss for G: −mean(D(G(z))).
    public static func hingeGenerator(fake: Tensor) -> Tensor { -fake.mean() }

    /// Non-saturating loss for D: mean(softplus(−D(x))) + mean(softplus(D(G(z)))).
    public static func nonSaturatingDiscriminator(real: Tensor, fake: Tensor) -> Tensor {
        (-real).softplus().mean() + fake.softplus().mean()
    }

    /// Non-saturating loss for G: mean(softplus(−D(G(z)))).
    public static func nonSaturatingGenerator(fake: Tensor) -> Tensor { (-fake).softplus().mean() }

    /// Mean cross-entropy of logits [N, K] against labels: mean(logsumexp(z) − z_label), computed with the
    /// row maximum subtracted (held constant: the result does not depend on it).
    public static func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
        precondition(logits.rank == 2 && logits.shape[0] == labels.count, "crossEntropy: logits \(logits.shape), \(labels.count) labels")
        let (n, k) = (logits.shape[0], logits.shape[1])
        let maxima = (0..<n).map { row in logits.scalars[(row * k)..<((row + 1) * k)].max() ?? 0 }
        let shift = Tensor(shape: [n, 1], scalars: maxima)
        let logSumExp = (logits - shift).exp().sum(alongAxes: [1], keepingDimensions: true).log() + shift
        let picked = logits.gathered(alongAxis: 1, indices: IndexTensor(shape: [n, 1], values: labels))
        return (logSumExp - picked).mean()
    }
}
