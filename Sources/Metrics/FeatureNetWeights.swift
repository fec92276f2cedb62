import Data
import Foundation
import Models
import NN
import Storage
import TensorCore

/// A trained FeatureNet in an HDF5 file: its state under `/state/<name>`, its shape as attributes, and a
/// content hash of the weights that identifies the extractor in every metric's protocol.
public struct FeatureNetWeights {
    public let network: FeatureNet
    public let hash: String
    public let datasetName: String
    public let testAccuracy: Double
    public let path: String

    public var extractorName: String { "featurenet-\(datasetName)" }

    /// Hash of every state tensor's name, shape and values (16 hex digits).
    public static func hash(of network: FeatureNet) -> String {
        var bytes: [UInt8] = []
        for (name, tensor) in network.namedState() {
            bytes += Array(name.utf8) + tensor.shape.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }
            tensor.scalars.withUnsafeBytes { bytes += $0 }
        }
        return String(Fingerprint.of(bytes: bytes, labels: nil, shape: []).prefix(16))
    }

    public static func write(_ network: FeatureNet, channels: Int, width: Int, datasetName: String, datasetFingerprint: String,
                             testAccuracy: Double, command: String, to path: String) throws {
        try AtomicFile.writeHDF5(to: path) { file in
            try file.setAttribute("format", "augbench-featurenet-1")
            try file.setAttribute("dataset", datasetName)
            try file.setAttribute("dataset_fingerprint", datasetFingerprint)
            try file.setAttribute("channels", Int64(channels))
            try file.setAttribute("width", Int64(width))
            try file.setAttribute("feature_dimension", Int64(network.featureDimension))
            try file.setAttribute("classes", Int64(network.classCount))
            try file.setAttribute("test_accuracy", testAccuracy)
            try file.setAttribute("hash", hash(of: network))
            try file.setAttribute("command", command)
            for (name, tensor) in network.namedState() { try file.write(tensor.scalars, shape: tensor.shape, at: "/state/\(name)") }
        }
    }

    /// Loads and verifies weights: the stored hash must match the weights read back.
    public static func read(from path: String) throws -> FeatureNetWeights {
        let file = try HDF5File(path: path)
        defer { file.close() }
        guard (try? file.stringAttribute("format")) == "augbench-featurenet-1" else {
            throw StorageError(file: path, "not an AugBench FeatureNet weight file (attribute 'format')")
        }
        var stream = RandomStream(seed: 0, name: "unused")
        let network = FeatureNet(channels: Int(try file.integerAttribute("channels")), classes: Int(try file.integerAttribute("classes")),
                                 width: Int(try file.integerAttribute("width")),
                                 featureDimension: Int(try file.integerAttribute("feature_dimension")), stream: &stream)
        var state: [String: Tensor] = [:]
        for (name, _) in network.namedState() {
            let (shape, values) = try file.read(Float.self, at: "/state/\(name)")
            state[name] = Tensor(shape: shape, scalars: values)
        }
        do { try network.load(state: state) } catch { throw StorageError(file: path, "\(error)") }
        let stored = try file.stringAttribute("hash")
        guard stored == hash(of: network) else {
            throw StorageError(file: path, "weights do not match their stored hash \(stored) (corrupt file?)")
        }
        return FeatureNetWeights(network: network, hash: stored, datasetName: try file.stringAttribute("dataset"),
                                 testAccuracy: try file.doubleAttribute("test_accuracy"), path: path)
    }

    /// Features and logits of NCHW images in [-1, 1], in batches, evaluation mode, no tape.
    public func extract(_ images: [Float], count: Int, imageShape: [Int], batchSize: Int = 500) -> (features: [Float], logits: [Float]) {
        var features: [Float] = [], logits: [Float] = []
        let size = imageShape.reduce(1, *)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            let batch = Tensor(shape: [n] + imageShape, scalars: Array(images[(start * size)..<((start + n) * size)]))
            let (f, l) = withoutGradients { network(batch, .evaluation) }
            features += f.scalars
            logits += l.scalars
            start += n
        }
        return (features, logits)
    }
}
