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
            c.withUnsafeMutableBufferPointer { GEMM.multiply(m: m, n: n, k: k, a: a, b: b, c: $0.baseAddress!) }
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
    ]

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

    /// The whole suite, in the order the README's table lists it.
    public static func all(minimumSeconds: Double = 1) -> [Measurement] {
        var results = [
            sgemm(m: 2048, n: 2048, k: 2048, name: "sgemm 2048³", minimumSeconds: minimumSeconds),
            sgemm(m: 64, n: 4096, k: 128, name: "sgemm G linear", minimumSeconds: minimumSeconds),
            sgemm(m: 128, n: 16384, k: 576, name: "sgemm conv-shaped", minimumSeconds: minimumSeconds),
        ]
        for c in convCases { results += convolution(c, minimumSeconds: minimumSeconds) }
        return results
    }
}
