import Foundation
import TensorCore

/// One differentiable augmentation op of a policy.
public enum AugmentOp: String, CaseIterable, Codable, Sendable {
    case brightness, saturation, contrast, translation, cutout
    /// Figure 9's extra transforms.
    case flip, rotation, scale, noise
}

/// A bad policy string or a parameter set that does not fit it.
public struct AugmentError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}

/// Per-image parameters of every op of a policy for one batch (PAPER.md §2 names and conventions).
public struct AugmentParameters {
    public var brightness: [Float]?          // b = u − 0.5
    public var saturation: [Float]?          // s = 2u
    public var contrast: [Float]?            // c = u + 0.5
    public var translation: [(row: Int, column: Int)]?  // shifts in −S…S
    public var cutout: [(row: Int, column: Int)]?       // drawn offsets in 0…H − (size mod 2)
    public var flip: [Bool]?
    public var rotation: [Int]?              // quarter turns 0…3
    public var scale: [Float]?               // s = 2^(u/2 − 1/4)
    public var noise: Tensor?                // N(0, σ²) per element

    public init() {}
}

/// Settings of the samplers that the paper fixes but a study may vary.
public struct AugmentSettings: Codable, Equatable, Sendable {
    public var translationRatio = 0.125
    public var cutoutRatio = 0.5
    public var noiseStandardDeviation: Float = 0.1
    public init() {}
}

/// A comma-separated list of ops applied in the order written, as the official `DiffAugment(x, policy)`:
/// `color` expands to brightness, saturation, contrast; the empty policy is the identity.
public struct Policy: Equatable, CustomStringConvertible, Sendable {
    public let ops: [AugmentOp]
    public let text: String

    public static let groups: [String: [AugmentOp]] = ["color": [.brightness, .saturation, .contrast]]
    public static var validNames: [String] { (groups.keys + AugmentOp.allCases.map(\.rawValue)).sorted() }

    public init(_ text: String) throws {
        var ops: [AugmentOp] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            if let group = Policy.groups[name] { ops += group; continue }
            guard let op = AugmentOp(rawValue: name) else {
                throw AugmentError(message: "unknown augmentation '\(name)' in policy '\(text)'; valid: \(Policy.validNames.joined(separator: ", "))")
            }
            ops.append(op)
        }
        guard Set(ops).count == ops.count else {
            throw AugmentError(message: "policy '\(text)' names an op twice; each op may appear once")
        }
        self.ops = ops
        self.text = text
    }

    public var description: String { text }
    public var isIdentity: Bool { ops.isEmpty }

    /// Draws every op's per-image parameters from `stream`, in policy order.
    public func sample(batch n: Int, channels: Int, height: Int, width: Int, settings: AugmentSettings = AugmentSettings(),
                       stream: inout RandomStream) -> AugmentParameters {
        var p = AugmentParameters()
        for op in ops {
            switch op {
            case .brightness: p.brightness = (0..<n).map { _ in stream.uniform() - 0.5 }
            case .saturation: p.saturation = (0..<n).map { _ in stream.uniform() * 2 }
            case .contrast: p.contrast = (0..<n).map { _ in stream.uniform() + 0.5 }
            case .translation:
                let (sh, sw) = (GeometricOps.maximumShift(height, ratio: settings.translationRatio),
                                GeometricOps.maximumShift(width, ratio: settings.translationRatio))
                let rows = (0..<n).map { _ in stream.integer(in: -sh...sh) }
                let columns = (0..<n).map { _ in stream.integer(in: -sw...sw) }
                p.translation = zip(rows, columns).map { ($0, $1) }
            case .cutout:
                let (ch, cw) = (GeometricOps.cutoutSize(height, ratio: settings.cutoutRatio),
                                GeometricOps.cutoutSize(width, ratio: settings.cutoutRatio))
                let rows = (0..<n).map { _ in stream.integer(in: 0...(height - ch % 2)) }
                let columns = (0..<n).map { _ in stream.integer(in: 0...(width - cw % 2)) }
                p.cutout = zip(rows, columns).map { ($0, $1) }
            case .flip: p.flip = (0..<n).map { _ in stream.uniform() < 0.5 }
            case .rotation: p.rotation = (0..<n).map { _ in stream.integer(in: 0...3) }
            case .scale: p.scale = (0..<n).map { _ in Float(exp2(Double(stream.uniform()) / 2 - 0.25)) }
            case .noise:
                p.noise = Tensor.randomNormal([n, channels, height, width], std: settings.noiseStandardDeviation, stream: &stream)
            }
        }
        return p
    }

    /// T(x) with the given parameters; a parameter the policy needs but `p` lacks is an error naming it.
    public func apply(_ x: Tensor, _ p: AugmentParameters, settings: AugmentSettings = AugmentSettings()) throws -> Tensor {
        precondition(x.rank == 4, "augment: images must be NCHW, got \(x.shape)")
        var y = x
        for op in ops {
            func need<T>(_ value: T?) throws -> T {
                guard let value else { throw AugmentError(message: "policy '\(text)' needs parameter '\(op.rawValue)'") }
                return value
            }
            switch op {
            case .brightness: y = ColorOps.brightness(y, try need(p.brightness))
            case .saturation: y = ColorOps.saturation(y, try need(p.saturation))
            case .contrast: y = ColorOps.contrast(y, try need(p.contrast))
            case .translation: y = GeometricOps.translation(y, try need(p.translation))
            case .cutout: y = GeometricOps.cutout(y, try need(p.cutout), ratio: settings.cutoutRatio)
            case .flip: y = GeometricOps.horizontalFlip(y, try need(p.flip))
            case .rotation: y = GeometricOps.rotation90(y, try need(p.rotation))
            case .scale: y = GeometricOps.scaling(y, try need(p.scale))
            case .noise: y = GeometricOps.gaussianNoise(y, try need(p.noise))
            }
        }
        return y
    }

    /// Samples parameters and applies them: the everyday call in training.
    public func callAsFunction(_ x: Tensor, settings: AugmentSettings = AugmentSettings(), stream: inout RandomStream) -> Tensor {
        if isIdentity { return x }
        let p = sample(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                       settings: settings, stream: &stream)
        return try! apply(x, p, settings: settings)  // sampled parameters always fit the policy
    }
}
