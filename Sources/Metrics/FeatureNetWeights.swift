import Foundation
import Models
import NN
import Storage
import TensorCore

/// A trained FeatureNet in an HDF5 file: its state under `/state/<name>`, its shape as attributes, and a
/// content hash of the weights that identifies the extractor in every metric's protocol.
public struct FeatureNetWeights: FeatureExtractor {
    public let network: FeatureNet
    public let hash: String
    public let datasetName: String
    public let testAccuracy: Double
    public let path: String

    public init(network: FeatureNet, hash: String, datasetName: String, testAccuracy: Double, path: String) {
        self.network = network
        self.hash = hash
        self.datasetName = datasetName
        self.testAccuracy = testAccuracy
        self.path = path
    }

    public var extractorName: String { "featurenet-\(datasetName)" }
    public var featureDimension: Int { network.featureDimension }
    public var classCount: Int { network.classCount }
    public var batchSize: Int { 500 }

    /// Hash of every state tensor's name, shape and values (16 hex digits).
    public static func hash(of network: FeatureNet) -> String { weightHash(network.namedState()) }

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

    /// Penultimate features and logits, evaluation mode.
    public func features(ofBatch images: Tensor) -> (features: Tensor, logits: Tensor) { network(images, .evaluation) }
}
