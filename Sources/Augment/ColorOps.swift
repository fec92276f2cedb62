import TensorCore

/// DiffAugment's colour ops (PAPER.md §2), each with one parameter per image shared by all channels.
/// They are compositions of tape primitives, so their gradients need no code of their own. The order
/// of operations (x − m)·s + m is the official code's, which makes float32 results agree to ~1e-6.
public enum ColorOps {
    static func perImage(_ values: [Float]) -> Tensor { Tensor(shape: [values.count, 1, 1, 1], scalars: values) }

    /// x + b, with b = u − 0.5 per image.
    public static func brightness(_ x: Tensor, _ b: [Float]) -> Tensor { x + perImage(b) }

    /// (x − m)·s + m, m = the mean over channels at each pixel, s = 2u per image.
    public static func saturation(_ x: Tensor, _ s: [Float]) -> Tensor {
        let m = x.mean(alongAxes: [1], keepingDimensions: true)
        return (x - m) * perImage(s) + m
    }

    /// (x − m)·c + m, m = the mean over C, H, W of each image, c = u + 0.5 per image.
    public static func contrast(_ x: Tensor, _ c: [Float]) -> Tensor {
        let m = x.mean(alongAxes: [1, 2, 3], keepingDimensions: true)
        return (x - m) * perImage(c) + m
    }
}
