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

    /// Folds the model's current state in after training iteration `iteration`. Element by element, so the
    /// ranges split over the workers change no value.
    public func update(from model: any Module, iteration: Int) {
        let d = iteration < startIteration ? 0 : decay
        for ((_, target), (_, source)) in zip(average.namedState(), model.namedState()) {
            precondition(source.count == target.count, "ExponentialMovingAverage: state shapes differ")
            guard source.count > 0 else { continue }
            source.scalars.withUnsafeBufferPointer { values in
                target.updateScalars { scalars in
                    scalars.withUnsafeMutableBufferPointer { a in
                        let (a, x) = (a.baseAddress!, values.baseAddress!)
                        Parallel.forRanges(values.count) { range in
                            for i in range { a[i] = d * a[i] + (1 - d) * x[i] }
                        }
                    }
                }
            }
        }
    }
}
