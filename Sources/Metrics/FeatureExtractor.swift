import Storage
import TensorCore

/// A network whose features feed FID/KID and whose logits feed IS. Its name and weight hash go into
/// every metric's protocol, so numbers from different extractors are never compared.
public protocol FeatureExtractor {
    /// e.g. "featurenet-fashion-mnist" or "inception-v3-fid".
    var extractorName: String { get }
    /// Content hash of the weights (16 hex digits).
    var hash: String { get }
    var featureDimension: Int { get }
    var classCount: Int { get }
    /// Images per forward pass.
    var batchSize: Int { get }
    /// Features [n, featureDimension] and logits [n, classCount] of a batch of NCHW images in [-1, 1].
    func features(ofBatch images: Tensor) -> (features: Tensor, logits: Tensor)
}

extension FeatureExtractor {
    /// Features and logits of `count` NCHW images in [-1, 1], `batchSize` at a time, without a tape.
    public func extract(_ images: [Float], count: Int, imageShape: [Int]) -> (features: [Float], logits: [Float]) {
        var features: [Float] = [], logits: [Float] = []
        features.reserveCapacity(count * featureDimension)
        logits.reserveCapacity(count * classCount)
        let size = imageShape.reduce(1, *)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            let batch = Tensor(shape: [n] + imageShape, scalars: Array(images[(start * size)..<((start + n) * size)]))
            let (f, l) = withoutGradients { self.features(ofBatch: batch) }
            features += f.scalars
            logits += l.scalars
            start += n
        }
        return (features, logits)
    }
}

/// Hash of every named tensor's name, shape and values (16 hex digits).
public func weightHash(_ namedState: [(String, Tensor)]) -> String {
    var bytes: [UInt8] = []
    for (name, tensor) in namedState {
        bytes += Array(name.utf8) + tensor.shape.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }
        tensor.scalars.withUnsafeBytes { bytes += $0 }
    }
    return String(Fingerprint.of(bytes: bytes, labels: nil, shape: []).prefix(16))
}
