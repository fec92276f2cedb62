import Foundation
import NN
import Storage
import TensorCore

/// Everything a run needs to continue exactly: named tensors (weights, optimiser moments, EMA weights,
/// BN statistics, spectral-norm vectors), random stream states and counters, in one HDF5 file.
///
/// Layout: `/tensors/<key>` Float32 datasets, and the root attributes `format` and `metadata` (JSON of
/// the integers, doubles, strings and streams).
public struct Checkpoint {
    public static let format = "augbench-checkpoint-1"

    public var tensors: [String: Tensor] = [:]
    public var integers: [String: Int64] = [:]
    public var doubles: [String: Double] = [:]
    public var strings: [String: String] = [:]
    public var streams: [String: RandomStream] = [:]

    public init() {}

    private struct Metadata: Codable {
        var integers: [String: Int64]
        var doubles: [String: Double]
        var strings: [String: String]
        var streams: [String: RandomStream]
    }

    // MARK: - Modules and optimisers

    public mutating func store(_ module: Module, as prefix: String) {
        for (name, tensor) in module.namedState() { tensors["\(prefix).\(name)"] = tensor.detached() }
    }

    public func restore(_ module: Module, from prefix: String) throws {
        var state: [String: Tensor] = [:]
        for (name, _) in module.namedState() { state[name] = tensors["\(prefix).\(name)"] }
        do { try module.load(state: state) } catch let error as StateError {
            throw StateError(message: "checkpoint '\(prefix)': \(error.message)")
        }
    }

    public mutating func store(_ adam: Adam, as prefix: String) {
        let (step, moments) = adam.state()
        integers["\(prefix).step"] = Int64(step)
        for (name, tensor) in moments { tensors["\(prefix).\(name)"] = tensor }
    }

    public func restore(_ adam: Adam, from prefix: String) throws {
        guard let step = integers["\(prefix).step"] else { throw StateError(message: "checkpoint lacks '\(prefix).step'") }
        var moments: [String: Tensor] = [:]
        for (key, tensor) in tensors where key.hasPrefix(prefix + ".") { moments[String(key.dropFirst(prefix.count + 1))] = tensor }
        try adam.load(step: Int(step), tensors: moments)
    }

    // MARK: - Files

    /// Writes the checkpoint atomically (a killed process leaves the previous file intact).
    public func write(to path: String) throws {
        let metadata = Metadata(integers: integers, doubles: doubles, strings: strings, streams: streams)
        let json = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        try AtomicFile.writeHDF5(to: path) { file in
            try file.setAttribute("format", Checkpoint.format)
            try file.setAttribute("metadata", json)
            try file.createGroup("/tensors")
            for (key, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
                try file.write(tensor.scalars, shape: tensor.shape, at: "/tensors/\(key)")
            }
        }
    }

    public static func read(from path: String) throws -> Checkpoint {
        let file = try HDF5File(path: path)
        defer { file.close() }
        guard (try? file.stringAttribute("format")) == format else {
            throw StorageError(file: path, "not an AugBench checkpoint (attribute 'format' is not '\(format)')")
        }
        let json = try file.stringAttribute("metadata")
        let metadata: Metadata
        do { metadata = try JSONDecoder().decode(Metadata.self, from: Data(json.utf8)) } catch {
            throw StorageError(file: path, path: "/", "corrupt 'metadata' attribute: \(error)")
        }
        var checkpoint = Checkpoint()
        checkpoint.integers = metadata.integers
        checkpoint.doubles = metadata.doubles
        checkpoint.strings = metadata.strings
        checkpoint.streams = metadata.streams
        for key in try file.children(of: "/tensors") {
            let (shape, values) = try file.read(Float.self, at: "/tensors/\(key)")
            checkpoint.tensors[key] = Tensor(shape: shape, scalars: values)
        }
        return checkpoint
    }
}
