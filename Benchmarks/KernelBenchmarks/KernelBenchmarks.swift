import Foundation
import TensorCore

/// Release-mode throughput of the kernels every GAN step spends its time in: sgemm, and conv2d /
/// transposed conv2d forward and backward at DCGAN layer shapes.
public enum KernelBenchmarks {
    public struct Measurement: Codable, Sendable {
        public let name: String
        public let shape: String
        /// Floating-point operations of one repetition (a multiply-add counts 2).
        public let flops: Double
        /// Median seconds of one repetition.
        public let seconds: Double
        public let repetitions: Int
        public var gflops: Double { flops / seconds / 1e9 }
    }

    /// Median time of `body` after one warm-up, repeating until `minimumSeconds` have passed (≥ 3 times).
    public static func time(minimumSeconds: Double, _ body: () -> Void) -> (median: Double, repetitions: Int) {
        body()
        var samples: [Double] = []
        let start = Date()
        while samples.count < 3 || Date().timeIntervalSince(start) < minimumSeconds {
            let begin = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
        }
        samples.sort()
        return (samples[samples.count / 2], samples.count)
    }

    public static func sgemm(m: Int, n: Int, k: Int, name: String, minimumSeconds: Double) -> Measurement {
        var stream = RandomStream(seed: 0, name: "bench-sgemm")
        let a = stream.uniforms(m * k), b = stream.uniforms(k * n)
        var c = [Float](repeating: 0, count: m * n)
        let (seconds, repetitions) = time(minimumSeconds: minimumSeconds) {
            c.withUnsafeMutableBufferPointer { GEMM.multiplyAcrossWorkers(m: m, n: n, k: k, a: a, b: b, c: $0.baseAddress!) }
        }
        return Measurement(name: name, shape: "\(m)×\(k) · \(k)×\(n)", flops: 2 * Double(m * n * k),
                           seconds: seconds, repetitions: repetitions)
    }

    /// A convolution layer: `transposed` runs convTranspose2d (an up layer) instead of conv2d.
    public struct ConvCase: Sendable {
        public let name: String
        public let batch, inChannels, outChannels, size, kernel, stride, padding: Int
        public let transposed: Bool

        /// Multiply-adds ×2 of the forward pass.
        var forwardFlops: Double {
            let spatial = transposed ? size * size : outputSize * outputSize
            return 2 * Double(batch * inChannels * outChannels * kernel * kernel * spatial)
        }
        var outputSize: Int {
            transposed ? (size - 1) * stride - 2 * padding + kernel : (size + 2 * padding - kernel) / stride + 1
        }
        var shapeText: String {
            "N=\(batch) \(inChannels)→\(outChannels) \(kernel)×\(kernel) s\(stride) \(size)→\(outputSize)"
        }
    }

    public static let convCases: [ConvCase] = [
        ConvCase(name: "conv2d 3×3", batch: 64, inChannels: 64, outChannels: 128, size: 16,
                 kernel: 3, stride: 1, padding: 1, transposed: false),
        ConvCase(name: "conv2d 4×4 down", batch: 64, inChannels: 64, outChannels: 128, size: 32,
                 kernel: 4, stride: 2, padding: 1, transposed: false),
        ConvCase(name: "convT 4×4 up", batch: 64, inChannels: 128, outChannels: 64, size: 16,
                 kernel: 4, stride: 2, padding: 1, transposed: true),
    ] + dcganCases + cpuCases

    /// The six convolution layers of the DCGAN workload (w = 64, batch 64, 1 channel).
    public static let dcganCases = dcganLayers(width: 64, label: "DCGAN")

    /// The six convolution layers of the CPU-scale studies' DCGAN (w = 32, batch 64, 1 channel).
    public static let cpuCases = dcganLayers(width: 32, label: "cpu w32")

    /// D: 1 → w → 2w → 4w channels at 32 → 16 → 8 → 4 pixels; G the reverse, 4w → 2w → w → 1.
    static func dcganLayers(width w: Int, label: String) -> [ConvCase] {
        [(1, w, 32), (w, 2 * w, 16), (2 * w, 4 * w, 8)].enumerated().map { i, layer in
            ConvCase(name: "\(label) D\(i + 1)", batch: 64, inChannels: layer.0, outChannels: layer.1, size: layer.2,
                     kernel: 4, stride: 2, padding: 1, transposed: false)
        } + [(4 * w, 2 * w, 4), (2 * w, w, 8), (w, 1, 16)].enumerated().map { i, layer in
            ConvCase(name: "\(label) G\(i + 1)", batch: 64, inChannels: layer.0, outChannels: layer.1, size: layer.2,
                     kernel: 4, stride: 2, padding: 1, transposed: true)
        }
    }

    /// Forward alone, and forward + backward (input and weight gradients: 3× the forward FLOPs).
    public static func convolution(_ c: ConvCase, minimumSeconds: Double) -> [Measurement] {
        let inputShape = [c.batch, c.inChannels, c.size, c.size]
        let weightShape = c.transposed ? [c.inChannels, c.outChannels, c.kernel, c.kernel]
                                       : [c.outChannels, c.inChannels, c.kernel, c.kernel]
        var stream = RandomStream(seed: 0, name: "bench-conv")
        let x = Tensor.randomNormal(inputShape, stream: &stream).requiringGradient()
        let w = Tensor.randomNormal(weightShape, std: 0.05, stream: &stream).requiringGradient()
        func forward() -> Tensor {
            c.transposed ? x.convTranspose2d(w, stride: c.stride, padding: c.padding)
                         : x.conv2d(w, stride: c.stride, padding: c.padding)
        }
        let forwardTime = time(minimumSeconds: minimumSeconds) { _ = withoutGradients { forward() } }
        let seed = Tensor(repeating: 1, shape: withoutGradients { forward() }.shape)
        let fullTime = time(minimumSeconds: minimumSeconds) {
            x.gradient = nil; w.gradient = nil
            forward().backward(seed: seed)
        }
        return [
            Measurement(name: c.name + " fwd", shape: c.shapeText, flops: c.forwardFlops,
                        seconds: forwardTime.median, repetitions: forwardTime.repetitions),
            Measurement(name: c.name + " fwd+bwd", shape: c.shapeText, flops: 3 * c.forwardFlops,
                        seconds: fullTime.median, repetitions: fullTime.repetitions),
        ]
    }

    /// BigGAN-CIFAR (ch = 32, batch 50) 3×3 layer shapes: 128 channels at 32, 16 and 8 pixels.
    public static let winogradCases: [ConvCase] = [32, 16, 8].map { size in
        ConvCase(name: "conv2d 3×3 BigGAN", batch: 50, inChannels: 128, outChannels: 128, size: size,
                 kernel: 3, stride: 1, padding: 1, transposed: false)
    }

    /// The CPU-scale DCGAN's 4×4 stride-2 layers with Winograd F(2×2, 2×2) applicable (G1 and G2 are the
    /// transposes of D3 and D2: the same three kernels).
    public static let stridedWinogradCases: [ConvCase] = [(32, 64, 16), (64, 128, 8)].map { layer in
        ConvCase(name: "conv2d 4×4 s2 w32", batch: 64, inChannels: layer.0, outChannels: layer.1, size: layer.2,
                 kernel: 4, stride: 2, padding: 1, transposed: false)
    }

    /// Inception-v3's stem: 3×3 stride-1 layers with few channels on large planes (the FID network, batch 50;
    /// inference, so forward only).
    public static let inceptionStemCases: [ConvCase] = [
        ConvCase(name: "conv2d 3×3 Inception stem", batch: 50, inChannels: 32, outChannels: 32, size: 149, kernel: 3, stride: 1,
                 padding: 0, transposed: false),
        ConvCase(name: "conv2d 3×3 Inception stem", batch: 50, inChannels: 32, outChannels: 64, size: 147, kernel: 3, stride: 1,
                 padding: 1, transposed: false),
    ]

    /// Forward + input gradient + weight gradient kernels of a 3×3 stride-1 layer, by im2col and by
    /// Winograd (`ConvolutionKernels.Algorithm`); FLOPs are those of the direct convolution in both.
    public static func winogradComparison(_ c: ConvCase, minimumSeconds: Double,
                                          forwardOnly: Bool = false,
                                          including wanted: (String) -> Bool = { _ in true }) -> [Measurement] {
        let g = ConvGeometry(batch: c.batch, channels: c.inChannels, height: c.size, width: c.size,
                             kernel: c.kernel, stride: c.stride, padding: c.padding)
        let algorithms = [("im2col", ConvolutionKernels.Algorithm.im2col), ("Winograd", .winograd)]
            .filter { wanted("\(c.name) \($0.0) \(c.shapeText)") }
        guard !algorithms.isEmpty else { return [] }  // the inputs below take longer to draw than some kernels run
        var stream = RandomStream(seed: 0, name: "bench-winograd")
        let x = stream.normals(c.batch * c.inChannels * c.size * c.size)
        let w = stream.normals(c.outChannels * g.patchSize), dy = stream.normals(c.batch * c.outChannels * g.outputPlane)
        var y = dy, dx = x, dw = w
        return algorithms.map { label, algorithm in
            let timing = time(minimumSeconds: minimumSeconds) {
                y.withUnsafeMutableBufferPointer {
                    ConvolutionKernels.forward(x: x, weight: w, outChannels: c.outChannels, geometry: g,
                                               y: $0.baseAddress!, algorithm: algorithm)
                }
                if forwardOnly { return }
                dx.withUnsafeMutableBufferPointer {
                    ConvolutionKernels.transposed(dy: dy, weight: w, outChannels: c.outChannels, geometry: g,
                                                  x: $0.baseAddress!, algorithm: algorithm)
                }
                dw.withUnsafeMutableBufferPointer {
                    ConvolutionKernels.weightGradient(x: x, dy: dy, outChannels: c.outChannels, geometry: g,
                                                      dw: $0.baseAddress!, algorithm: algorithm)
                }
            }
            return Measurement(name: "\(c.name) \(label) \(forwardOnly ? "fwd" : "fwd+bwd")", shape: c.shapeText,
                               flops: (forwardOnly ? 1 : 3) * c.forwardFlops,
                               seconds: timing.median, repetitions: timing.repetitions)
        }
    }

    /// The whole suite, in the order the README's table lists it; with `matching`, only the workloads
    /// whose name contains it (case-insensitive; for the Winograd comparisons, name, algorithm and shape, so
    /// that "Winograd N=50 128→128 3×3 s1 8→8" picks one layer).
    public static func all(minimumSeconds: Double = 1, matching filter: String? = nil) -> [Measurement] {
        func wanted(_ name: String) -> Bool { filter.map { name.localizedCaseInsensitiveContains($0) } ?? true }
        var results: [Measurement] = []
        for (m, n, k, name) in [(2048, 2048, 2048, "sgemm 2048³"), (64, 4096, 128, "sgemm G linear"),
                                (128, 16384, 576, "sgemm conv-shaped")] where wanted(name) {
            results.append(sgemm(m: m, n: n, k: k, name: name, minimumSeconds: minimumSeconds))
        }
        for c in convCases where wanted(c.name) { results += convolution(c, minimumSeconds: minimumSeconds) }
        for c in winogradCases + stridedWinogradCases {
            results += winogradComparison(c, minimumSeconds: minimumSeconds, including: wanted)
        }
        for c in inceptionStemCases {
            results += winogradComparison(c, minimumSeconds: minimumSeconds, forwardOnly: true, including: wanted)
        }
        return results
    }
}
