import Storage
import TensorCore

/// A picture of what a policy does: one row per image, [x, T₁(x), …, T_k(x)] with k independent draws of the
/// policy's parameters (seeded), for `augbench augment --preview`.
public enum AugmentPreview {
    /// originals: NCHW in [−1, 1].
    public static func grid(_ policy: Policy, originals: Tensor, variants: Int, seed: UInt64) -> PNGImage {
        let (count, imageSize) = (originals.shape[0], originals.shape.dropFirst().reduce(1, *))
        var stream = RandomStream(seed: seed, name: "augment-preview")
        let augmented = (0..<variants).map { _ in withoutGradients { policy(originals, stream: &stream) } }
        var values: [Float] = []
        for n in 0..<count {
            let slice = (n * imageSize)..<((n + 1) * imageSize)
            values += originals.scalars[slice]
            for version in augmented { values += version.scalars[slice] }
        }
        return ImageGrid.make(values, count: count * (variants + 1), channels: originals.shape[1], height: originals.shape[2],
                              width: originals.shape[3], columns: variants + 1)
    }
}
