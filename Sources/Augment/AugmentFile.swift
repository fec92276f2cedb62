import Foundation
import Storage
import TensorCore

/// `augbench augment` on HDF5 files, so anyone can check our ops against another implementation.
/// Input: `images` [N, C, H, W] Float32, the parameter datasets named as in the golden file
/// (`brightness`, `saturation`, `contrast` [N]; `translation`, `cutout` [N, 2] Int64 as (row, col);
/// and for the extra ops `flip`, `rotation` [N] Int64, `scale` [N], `noise` [N, C, H, W]), and optionally
/// `upstream_grad` [N, C, H, W]. Output: `output`, `input_grad` given an upstream gradient, and with a
/// seed the sampled parameters.
public enum AugmentFile {
    public struct Summary: Sendable {
        public let images: Int
        public let shape: [Int]
        public let sampled: Bool
        public let wroteGradient: Bool
    }

    public static func run(policy: Policy, input: String, output: String, seed: UInt64?) throws -> Summary {
        let file = try HDF5File(path: input)
        let images = try file.read(Float.self, at: "/images", expectingShape: [nil, nil, nil, nil])
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        var parameters: AugmentParameters
        if let seed {
            var stream = RandomStream(seed: seed, name: "augment")
            parameters = policy.sample(batch: n, channels: c, height: h, width: w, stream: &stream)
        } else {
            parameters = try readParameters(policy, file, count: n, imageShape: images.shape)
        }
        let upstream = file.exists("/upstream_grad")
            ? try file.read(Float.self, at: "/upstream_grad", expectingShape: images.shape.map { $0 }) : nil
        let x = Tensor(shape: images.shape, scalars: images.values, requiresGradient: upstream != nil)
        let y = try policy.apply(x, parameters)
        if let upstream { y.backward(seed: Tensor(shape: y.shape, scalars: upstream.values)) }
        try AtomicFile.writeHDF5(to: output) { out in
            try out.setAttribute("policy", policy.text)
            try out.write(y.scalars, shape: y.shape, at: "/output")
            if let gradient = x.gradient { try out.write(gradient.scalars, shape: gradient.shape, at: "/input_grad") }
            if seed != nil { try writeParameters(parameters, to: out) }
        }
        return Summary(images: n, shape: images.shape, sampled: seed != nil, wroteGradient: upstream != nil)
    }

    static func readParameters(_ policy: Policy, _ file: HDF5File, count n: Int, imageShape: [Int]) throws -> AugmentParameters {
        var p = AugmentParameters()
        func floats(_ name: String) throws -> [Float] {
            try require(name, file)
            return try file.read(Float.self, at: "/" + name, expectingShape: [n]).values
        }
        func integers(_ name: String) throws -> [Int] {
            try require(name, file)
            return try file.read(Int64.self, at: "/" + name, expectingShape: [n]).values.map { Int($0) }
        }
        func pairs(_ name: String) throws -> [(row: Int, column: Int)] {
            try require(name, file)
            let values = try file.read(Int64.self, at: "/" + name, expectingShape: [n, 2]).values
            return (0..<n).map { (Int(values[2 * $0]), Int(values[2 * $0 + 1])) }
        }
        for op in policy.ops {
            switch op {
            case .brightness: p.brightness = try floats("brightness")
            case .saturation: p.saturation = try floats("saturation")
            case .contrast: p.contrast = try floats("contrast")
            case .translation: p.translation = try pairs("translation")
            case .cutout: p.cutout = try pairs("cutout")
            case .flip: p.flip = try integers("flip").map { $0 != 0 }
            case .rotation: p.rotation = try integers("rotation")
            case .scale: p.scale = try floats("scale")
            case .noise:
                try require("noise", file)
                let noise = try file.read(Float.self, at: "/noise", expectingShape: imageShape.map { $0 })
                p.noise = Tensor(shape: noise.shape, scalars: noise.values)
            }
        }
        return p
    }

    private static func require(_ name: String, _ file: HDF5File) throws {
        guard file.exists("/" + name) else {
            throw StorageError(file: file.path, path: "/" + name,
                               "missing: the policy needs this parameter (or pass --seed to sample it)")
        }
    }

    static func writeParameters(_ p: AugmentParameters, to file: HDF5File) throws {
        if let v = p.brightness { try file.write(v, shape: [v.count], at: "/brightness") }
        if let v = p.saturation { try file.write(v, shape: [v.count], at: "/saturation") }
        if let v = p.contrast { try file.write(v, shape: [v.count], at: "/contrast") }
        if let v = p.translation { try file.write(v.flatMap { [Int64($0.row), Int64($0.column)] }, shape: [v.count, 2], at: "/translation") }
        if let v = p.cutout { try file.write(v.flatMap { [Int64($0.row), Int64($0.column)] }, shape: [v.count, 2], at: "/cutout") }
        if let v = p.flip { try file.write(v.map { Int64($0 ? 1 : 0) }, shape: [v.count], at: "/flip") }
        if let v = p.rotation { try file.write(v.map(Int64.init), shape: [v.count], at: "/rotation") }
        if let v = p.scale { try file.write(v, shape: [v.count], at: "/scale") }
        if let v = p.noise { try file.write(v.scalars, shape: v.shape, at: "/noise") }
    }
}
