import Foundation

/// IS = exp(E_x KL(p(y|x) ‖ p(y))) (Salimans et al., 2016) over `splits` contiguous splits of the logits,
/// p(y|x) = softmax; reported as the mean and population standard deviation across splits.
public enum InceptionScore {
    public static func score(logits: [Float], count n: Int, classes k: Int, splits: Int = 10) throws -> (mean: Double, std: Double) {
        guard splits >= 1, n >= splits else { throw MetricError("\(n) samples cannot make \(splits) splits") }
        guard k >= 1 else { throw MetricError("no class logits: the extractor has no classifier, so no Inception Score") }
        var probabilities = [Double](repeating: 0, count: n * k)
        for row in 0..<n {
            let values = logits[(row * k)..<((row + 1) * k)].map(Double.init)
            let maximum = values.max()!
            let exponentials = values.map { exp($0 - maximum) }
            let total = exponentials.reduce(0, +)
            for j in 0..<k { probabilities[row * k + j] = exponentials[j] / total }
        }
        var scores: [Double] = []
        for split in 0..<splits {
            let (start, end) = (split * n / splits, (split + 1) * n / splits)
            var marginal = [Double](repeating: 0, count: k)
            for row in start..<end { for j in 0..<k { marginal[j] += probabilities[row * k + j] } }
            marginal = marginal.map { $0 / Double(end - start) }
            var kl = 0.0
            for row in start..<end {
                for j in 0..<k where probabilities[row * k + j] > 0 {
                    let p = probabilities[row * k + j]
                    kl += p * (log(p) - log(marginal[j]))
                }
            }
            scores.append(exp(kl / Double(end - start)))
        }
        let mean = scores.reduce(0, +) / Double(splits)
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(splits)
        return (mean, variance.squareRoot())
    }
}
