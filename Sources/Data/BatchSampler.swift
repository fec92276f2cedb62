import TensorCore

/// Minibatches of a subset: each epoch visits the subset in a fresh order drawn from (seed, "data/epoch-k"),
/// and each real image is flipped horizontally with p = 0.5 from its own stream (the baseline flip every
/// strategy keeps). The state is small and Codable, so a resumed run draws exactly the same batches.
public struct BatchSampler {
    public struct State: Codable, Equatable, Sendable {
        public var epoch = 0
        public var position = 0
        public var flips: RandomStream

        public init(epoch: Int, position: Int, flips: RandomStream) {
            self.epoch = epoch
            self.position = position
            self.flips = flips
        }
    }

    public let indices: [Int]
    public let seed: UInt64
    public let flipsImages: Bool
    public var state: State
    private var order: [Int]

    public init(indices: [Int], seed: UInt64, flipsImages: Bool = true) {
        precondition(!indices.isEmpty, "BatchSampler: no images")
        self.indices = indices
        self.seed = seed
        self.flipsImages = flipsImages
        state = State(epoch: 0, position: 0, flips: RandomStream(seed: seed, name: "data/flips"))
        order = BatchSampler.order(indices, epoch: 0, seed: seed)
    }

    /// Restores a saved state (the order of its epoch is recomputed from the seed).
    public mutating func restore(_ saved: State) {
        state = saved
        order = BatchSampler.order(indices, epoch: saved.epoch, seed: seed)
    }

    static func order(_ indices: [Int], epoch: Int, seed: UInt64) -> [Int] {
        Subset.permutation(indices.count, seed: seed, name: "data/epoch-\(epoch)").map { indices[$0] }
    }

    /// The dataset indices of the next `size` images (continuing into the next epoch when one ends).
    public mutating func nextIndices(_ size: Int) -> [Int] {
        var chosen: [Int] = []
        while chosen.count < size {
            if state.position == order.count {
                state.epoch += 1
                state.position = 0
                order = BatchSampler.order(indices, epoch: state.epoch, seed: seed)
            }
            let take = min(size - chosen.count, order.count - state.position)
            chosen += order[state.position..<(state.position + take)]
            state.position += take
        }
        return chosen
    }

    /// The next batch [size, C, H, W] with labels, flips applied.
    public mutating func next(_ size: Int, from dataset: Dataset) -> (images: Tensor, labels: [Int]?) {
        let chosen = nextIndices(size)
        var (values, labels) = dataset.selecting(chosen)
        if flipsImages {
            let (planes, h, w) = (dataset.channels, dataset.height, dataset.width)
            for n in 0..<size where state.flips.uniform() < 0.5 {
                for plane in 0..<planes {
                    for row in 0..<h {
                        let start = ((n * planes + plane) * h + row) * w
                        values[start..<(start + w)].reverse()
                    }
                }
            }
        }
        return (Tensor(shape: [size] + dataset.imageShape, scalars: values), labels)
    }
}
