import TensorCore

/// An exponential moving average of a module's whole state (weights, BN running statistics and
/// spectral-norm vectors, as BigGAN averages its state dict), kept in a second module of the same shape.
/// Before `startIteration` the average is a plain copy; from then on a ← d·a + (1 − d)·x.
public final class ExponentialMovingAverage {
    public let average: any Module
    public let decay: Float
    public let startIteration: Int

    /// `average` must be a separate instance with the same architecture as the model it follows.
    public init(average: any Module, of model: any Module, decay: Float, startIteration: Int) throws {
        self.average = average
        self.decay = decay
        self.startIteration = startIteration
        try average.load(state: Dictionary(uniqueKeysWithValues: model.namedState()))
    }

    /// Folds the model's current state in after training iteration `iteration`.
    public func update(from model: any Module, iteration: Int) {
        let d = iteration < startIteration ? 0 : decay
        for ((_, target), (_, source)) in zip(average.namedState(), model.namedState()) {
            let values = source.scalars
            target.updateScalars { a in for i in a.indices { a[i] = d * a[i] + (1 - d) * values[i] } }
        }
    }
}
