import TensorCore

/// The FID variant of Inception-v3 (TensorFlow's 2015-12-05 graph as pytorch-fid ports it), for
/// inference only: input [N, 3, H, W] in [0, 1] → bilinear resize to 299×299 (half-pixel centres) →
/// x·(hi − lo) + lo into the weights' input range (pytorch-fid: [−1, 1], i.e. 2x − 1; TensorFlow's graph:
/// [−1, 0.9921875]) → stem → Mixed_5b…7c → global average pool: 2048 pool features, and the 1008-way
/// logits of `fc` on them when the weights have that classifier. FID's differences from torchvision's network: the average pools in the A, C and first
/// E blocks exclude padding from their mean, and the last E block max-pools instead.
///
/// Parameters come through `parameter(name, expected shape)` under PyTorch's state-dict names
/// (e.g. `Mixed_5b.branch1x1.conv.weight`); each conv's batch norm (ε = 0.001) is folded into it:
/// w' = w·γ/√(σ² + ε), b' = β − μ·γ/√(σ² + ε).
public final class InceptionV3 {
    public static let featureDimension = 2048
    /// Classes of the classifier `fc`, when the weights have it.
    public static let classifierClasses = 1008
    public static let inputSize = 299

    let stem: [InceptionConv]
    let mixed5: [InceptionA], mixed6a: InceptionB, mixed6: [InceptionC], mixed7a: InceptionD
    let mixed7: [InceptionE]
    /// `fc`: [1008, 2048] weight and bias; nil for weights without a classifier (no Inception Score).
    let classifier: (weight: Tensor, bias: Tensor)?
    /// The values [0, 1] maps to before the stem.
    public let inputRange: (low: Float, high: Float)

    /// Logits per image: 1008 with a classifier, 0 without.
    public var classCount: Int { classifier == nil ? 0 : Self.classifierClasses }

    public init(inputRange: (low: Float, high: Float) = (-1, 1), hasClassifier: Bool = true,
                parameter: (String, [Int]) throws -> Tensor) throws {
        self.inputRange = inputRange
        func conv(_ name: String, _ input: Int, _ output: Int, _ kernel: (Int, Int), _ stride: Int,
                  _ padding: (Int, Int)) throws -> InceptionConv {
            try InceptionConv(name: name, input: input, output: output, kernel: kernel, stride: stride, padding: padding,
                              parameter: parameter)
        }
        stem = [try conv("Conv2d_1a_3x3", 3, 32, (3, 3), 2, (0, 0)),
                try conv("Conv2d_2a_3x3", 32, 32, (3, 3), 1, (0, 0)),
                try conv("Conv2d_2b_3x3", 32, 64, (3, 3), 1, (1, 1)),
                try conv("Conv2d_3b_1x1", 64, 80, (1, 1), 1, (0, 0)),
                try conv("Conv2d_4a_3x3", 80, 192, (3, 3), 1, (0, 0))]
        mixed5 = try [("Mixed_5b", 192, 32), ("Mixed_5c", 256, 64), ("Mixed_5d", 288, 64)].map {
            try InceptionA(name: $0.0, input: $0.1, poolFeatures: $0.2, conv: conv)
        }
        mixed6a = try InceptionB(name: "Mixed_6a", input: 288, conv: conv)
        mixed6 = try [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)].map {
            try InceptionC(name: $0.0, input: 768, channels7x7: $0.1, conv: conv)
        }
        mixed7a = try InceptionD(name: "Mixed_7a", input: 768, conv: conv)
        mixed7 = [try InceptionE(name: "Mixed_7b", input: 1280, maxPool: false, conv: conv),
                  try InceptionE(name: "Mixed_7c", input: 2048, maxPool: true, conv: conv)]
        classifier = hasClassifier ? (try parameter("fc.weight", [Self.classifierClasses, Self.featureDimension]),
                                      try parameter("fc.bias", [Self.classifierClasses])) : nil
    }

    /// Pool features [N, 2048] and logits [N, 1008] (or [N, 0] without a classifier) of images [N, 3, H, W] in [0, 1].
    public func callAsFunction(_ images: Tensor) -> (features: Tensor, logits: Tensor) {
        withoutGradients {
            var h = images.resizedBilinear(height: Self.inputSize, width: Self.inputSize) * (inputRange.high - inputRange.low) + inputRange.low
            h = stem[2](stem[1](stem[0](h))).maxPool2d(kernel: 3, stride: 2)
            h = stem[4](stem[3](h)).maxPool2d(kernel: 3, stride: 2)
            for block in mixed5 { h = block(h) }
            h = mixed6a(h)
            for block in mixed6 { h = block(h) }
            h = mixed7a(h)
            for block in mixed7 { h = block(h) }
            let features = h.mean(alongAxes: [2, 3])
            guard let classifier else { return (features, Tensor(shape: [features.shape[0], 0], scalars: [])) }
            let logits = Tensor.matmul(features, classifier.weight, transposeB: true)
                + classifier.bias.reshaped(to: [1, Self.classifierClasses])
            return (features, logits)
        }
    }
}

/// Conv (no bias) → batch norm → ReLU, with the batch norm folded into the conv's weight and a bias.
struct InceptionConv {
    let weight: Tensor, bias: Tensor
    let stride: Int, padding: (Int, Int)

    init(name: String, input: Int, output: Int, kernel: (Int, Int), stride: Int, padding: (Int, Int),
         parameter: (String, [Int]) throws -> Tensor) throws {
        let w = try parameter("\(name).conv.weight", [output, input, kernel.0, kernel.1])
        let gamma = try parameter("\(name).bn.weight", [output]), beta = try parameter("\(name).bn.bias", [output])
        let mean = try parameter("\(name).bn.running_mean", [output]), variance = try parameter("\(name).bn.running_var", [output])
        let scale = (0..<output).map { gamma.scalars[$0] / (variance.scalars[$0] + 0.001).squareRoot() }
        let patch = input * kernel.0 * kernel.1
        weight = Tensor(shape: w.shape, scalars: w.scalars.indices.map { w.scalars[$0] * scale[$0 / patch] })
        bias = Tensor(shape: [output], scalars: (0..<output).map { beta.scalars[$0] - mean.scalars[$0] * scale[$0] })
        self.stride = stride
        self.padding = padding
    }

    func callAsFunction(_ x: Tensor) -> Tensor { x.conv2dReLU(weight, bias: bias, stride: stride, padding: padding) }

    /// This 1×1 conv applied to TensorFlow's average pool of x, ReLU(W·pool(x) + b), computed as
    /// ReLU(pool(W·x) + b): both maps are linear and the pool acts on each channel alone, so the pool runs
    /// over the conv's P output channels instead of the C input channels (192 instead of 768–1280 in the C and
    /// E blocks). Equal up to float rounding.
    func afterAveragePool(_ x: Tensor) -> Tensor {
        precondition(weight.shape[2] == 1 && weight.shape[3] == 1 && stride == 1 && padding == (0, 0),
                     "afterAveragePool: needs a pointwise conv, got \(weight.shape) stride \(stride) padding \(padding)")
        let pooled = tensorFlowAveragePool(x.conv2d(weight, stride: 1, padding: (0, 0)))
        return (pooled + bias.reshaped(to: [1, bias.count, 1, 1])).relu()
    }
}

/// Builds the named conv from (name, in, out, kernel, stride, padding).
typealias InceptionConvMaker = (String, Int, Int, (Int, Int), Int, (Int, Int)) throws -> InceptionConv

/// The 3×3, stride-1 average pool that excludes padding (TensorFlow's), used by the A, C and E blocks.
func tensorFlowAveragePool(_ x: Tensor) -> Tensor { x.avgPool2d(kernel: 3, stride: 1, padding: 1, countingPadding: false) }

/// 35×35 block: 1×1 | 1×1 → 5×5 | 1×1 → 3×3 → 3×3 | avg pool → 1×1, concatenated.
struct InceptionA {
    let branch1x1, branch5x5a, branch5x5b, double3x3a, double3x3b, double3x3c, pool: InceptionConv

    init(name: String, input: Int, poolFeatures: Int,
         conv: InceptionConvMaker) throws {
        branch1x1 = try conv("\(name).branch1x1", input, 64, (1, 1), 1, (0, 0))
        branch5x5a = try conv("\(name).branch5x5_1", input, 48, (1, 1), 1, (0, 0))
        branch5x5b = try conv("\(name).branch5x5_2", 48, 64, (5, 5), 1, (2, 2))
        double3x3a = try conv("\(name).branch3x3dbl_1", input, 64, (1, 1), 1, (0, 0))
        double3x3b = try conv("\(name).branch3x3dbl_2", 64, 96, (3, 3), 1, (1, 1))
        double3x3c = try conv("\(name).branch3x3dbl_3", 96, 96, (3, 3), 1, (1, 1))
        pool = try conv("\(name).branch_pool", input, poolFeatures, (1, 1), 1, (0, 0))
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.concatenated([branch1x1(x), branch5x5b(branch5x5a(x)), double3x3c(double3x3b(double3x3a(x))),
                             pool.afterAveragePool(x)], alongAxis: 1)
    }
}

/// 35 → 17 reduction: 3×3 stride 2 | 1×1 → 3×3 → 3×3 stride 2 | max pool 3×3 stride 2.
struct InceptionB {
    let branch3x3, double3x3a, double3x3b, double3x3c: InceptionConv

    init(name: String, input: Int, conv: InceptionConvMaker) throws {
        branch3x3 = try conv("\(name).branch3x3", input, 384, (3, 3), 2, (0, 0))
        double3x3a = try conv("\(name).branch3x3dbl_1", input, 64, (1, 1), 1, (0, 0))
        double3x3b = try conv("\(name).branch3x3dbl_2", 64, 96, (3, 3), 1, (1, 1))
        double3x3c = try conv("\(name).branch3x3dbl_3", 96, 96, (3, 3), 2, (0, 0))
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.concatenated([branch3x3(x), double3x3c(double3x3b(double3x3a(x))), x.maxPool2d(kernel: 3, stride: 2)],
                            alongAxis: 1)
    }
}

/// 17×17 block with factorised 7×7s: 1×1 | 1×1 → 1×7 → 7×1 | 1×1 → 7×1 → 1×7 → 7×1 → 1×7 | avg pool → 1×1.
struct InceptionC {
    let branch1x1: InceptionConv
    let branch7x7: [InceptionConv], double7x7: [InceptionConv]
    let pool: InceptionConv

    init(name: String, input: Int, channels7x7 c7: Int,
         conv: InceptionConvMaker) throws {
        let row = ((1, 7), (0, 3)), column = ((7, 1), (3, 0))
        branch1x1 = try conv("\(name).branch1x1", input, 192, (1, 1), 1, (0, 0))
        branch7x7 = [try conv("\(name).branch7x7_1", input, c7, (1, 1), 1, (0, 0)),
                     try conv("\(name).branch7x7_2", c7, c7, row.0, 1, row.1),
                     try conv("\(name).branch7x7_3", c7, 192, column.0, 1, column.1)]
        double7x7 = [try conv("\(name).branch7x7dbl_1", input, c7, (1, 1), 1, (0, 0)),
                     try conv("\(name).branch7x7dbl_2", c7, c7, column.0, 1, column.1),
                     try conv("\(name).branch7x7dbl_3", c7, c7, row.0, 1, row.1),
                     try conv("\(name).branch7x7dbl_4", c7, c7, column.0, 1, column.1),
                     try conv("\(name).branch7x7dbl_5", c7, 192, row.0, 1, row.1)]
        pool = try conv("\(name).branch_pool", input, 192, (1, 1), 1, (0, 0))
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.concatenated([branch1x1(x), branch7x7.reduce(x) { $1($0) }, double7x7.reduce(x) { $1($0) },
                             pool.afterAveragePool(x)], alongAxis: 1)
    }
}

/// 17 → 8 reduction: 1×1 → 3×3 stride 2 | 1×1 → 1×7 → 7×1 → 3×3 stride 2 | max pool 3×3 stride 2.
struct InceptionD {
    let branch3x3: [InceptionConv], branch7x7x3: [InceptionConv]

    init(name: String, input: Int, conv: InceptionConvMaker) throws {
        branch3x3 = [try conv("\(name).branch3x3_1", input, 192, (1, 1), 1, (0, 0)),
                     try conv("\(name).branch3x3_2", 192, 320, (3, 3), 2, (0, 0))]
        branch7x7x3 = [try conv("\(name).branch7x7x3_1", input, 192, (1, 1), 1, (0, 0)),
                       try conv("\(name).branch7x7x3_2", 192, 192, (1, 7), 1, (0, 3)),
                       try conv("\(name).branch7x7x3_3", 192, 192, (7, 1), 1, (3, 0)),
                       try conv("\(name).branch7x7x3_4", 192, 192, (3, 3), 2, (0, 0))]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.concatenated([branch3x3.reduce(x) { $1($0) }, branch7x7x3.reduce(x) { $1($0) },
                             x.maxPool2d(kernel: 3, stride: 2)], alongAxis: 1)
    }
}

/// 8×8 block with split 3×3s: 1×1 | 1×1 → (1×3, 3×1) | 1×1 → 3×3 → (1×3, 3×1) | pool → 1×1. The pool
/// is TensorFlow's average pool in Mixed_7b and a 3×3 stride-1 max pool in Mixed_7c (`maxPool`).
struct InceptionE {
    let branch1x1, branch3x3, branch3x3Row, branch3x3Column: InceptionConv
    let double3x3a, double3x3b, double3x3Row, double3x3Column, pool: InceptionConv
    let maxPool: Bool

    init(name: String, input: Int, maxPool: Bool,
         conv: InceptionConvMaker) throws {
        branch1x1 = try conv("\(name).branch1x1", input, 320, (1, 1), 1, (0, 0))
        branch3x3 = try conv("\(name).branch3x3_1", input, 384, (1, 1), 1, (0, 0))
        branch3x3Row = try conv("\(name).branch3x3_2a", 384, 384, (1, 3), 1, (0, 1))
        branch3x3Column = try conv("\(name).branch3x3_2b", 384, 384, (3, 1), 1, (1, 0))
        double3x3a = try conv("\(name).branch3x3dbl_1", input, 448, (1, 1), 1, (0, 0))
        double3x3b = try conv("\(name).branch3x3dbl_2", 448, 384, (3, 3), 1, (1, 1))
        double3x3Row = try conv("\(name).branch3x3dbl_3a", 384, 384, (1, 3), 1, (0, 1))
        double3x3Column = try conv("\(name).branch3x3dbl_3b", 384, 384, (3, 1), 1, (1, 0))
        pool = try conv("\(name).branch_pool", input, 192, (1, 1), 1, (0, 0))
        self.maxPool = maxPool
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let split = branch3x3(x), double = double3x3b(double3x3a(x))
        let pooled = maxPool ? pool(x.maxPool2d(kernel: 3, stride: 1, padding: 1)) : pool.afterAveragePool(x)
        return Tensor.concatenated([branch1x1(x), branch3x3Row(split), branch3x3Column(split),
                                    double3x3Row(double), double3x3Column(double), pooled], alongAxis: 1)
    }
}
