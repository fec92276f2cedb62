import Foundation
import Storage
import TensorCore

/// Decoded images of one split, kept as bytes [N, C, H, W] (a quarter of the memory, and of the page
/// faults, of Float32) and handed out as NCHW Float32 in [-1, 1] (x = byte/127.5 − 1); labels when the
/// source has them; a fingerprint of the decoded bytes for provenance and cache keys.
public struct Dataset: Sendable {
    public let name: String
    public let split: String
    public let channels: Int, height: Int, width: Int
    public var bytes: [UInt8]
    public let labels: [Int]?
    public let classNames: [String]?
    public let fingerprint: String
    /// The files it was read from.
    public let source: String

    public var count: Int { bytes.count / imageSize }
    public var imageSize: Int { channels * height * width }
    public var imageShape: [Int] { [channels, height, width] }
    public var classCount: Int { classNames?.count ?? (labels.map { ($0.max() ?? -1) + 1 } ?? 0) }

    /// Images per class (empty without labels).
    public var classCounts: [Int] {
        guard let labels else { return [] }
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// Builds a dataset from raw bytes [N, C, H, W] (values 0…255).
    init(name: String, split: String, bytes: [UInt8], channels: Int, height: Int, width: Int, labels: [Int]?,
         classNames: [String]?, source: String) {
        self.name = name
        self.split = split
        self.channels = channels
        self.height = height
        self.width = width
        self.labels = labels
        self.classNames = classNames
        self.source = source
        fingerprint = Fingerprint.of(bytes: bytes, labels: labels, shape: [channels, height, width])
        self.bytes = bytes
    }

    /// Random images (uniform bytes) with labels 0..<classes: a stand-in for benchmarks that time the
    /// arithmetic of training, which does not depend on what the pixels show.
    public static func synthetic(count: Int, channels: Int, height: Int, width: Int, classes: Int, seed: UInt64) -> Dataset {
        var stream = RandomStream(seed: seed, name: "synthetic-data")
        let bytes = (0..<(count * channels * height * width)).map { _ in UInt8(truncatingIfNeeded: stream.nextWord()) }
        let labels = (0..<count).map { $0 % max(classes, 1) }
        return Dataset(name: "synthetic", split: "train", bytes: bytes, channels: channels, height: height, width: width,
                       labels: labels, classNames: (0..<max(classes, 1)).map { "class\($0)" }, source: "synthetic")
    }

    /// byte → [-1, 1]: x = byte/127.5 − 1.
    @inline(__always)
    public static func float(_ byte: UInt8) -> Float { Float(byte) * (1 / 127.5) - 1 }

    /// The same images padded with black (byte 0, i.e. −1) on every side to `size`×`size`; 28×28 → 32×32.
    public func padded(to size: Int) -> Dataset {
        guard height < size || width < size else { return self }
        let (top, left) = ((size - height) / 2, (size - width) / 2)
        var result = reshaped(height: size, width: size)
        var out = [UInt8](repeating: 0, count: count * channels * size * size)
        bytes.withUnsafeBufferPointer { source in out.withUnsafeMutableBufferPointer { target in
            for plane in 0..<(count * channels) {
                for row in 0..<height {
                    let from = (plane * height + row) * width, to = (plane * size + top + row) * size + left
                    (target.baseAddress! + to).update(from: source.baseAddress! + from, count: width)
                }
            }
        } }
        result.bytes = out
        return result
    }

    private func reshaped(height: Int, width: Int) -> Dataset {
        Dataset(copying: self, height: height, width: width)
    }

    private init(copying other: Dataset, height: Int, width: Int) {
        name = other.name; split = other.split; channels = other.channels
        self.height = height; self.width = width
        bytes = other.bytes; labels = other.labels; classNames = other.classNames
        fingerprint = other.fingerprint + "-pad\(height)x\(width)"; source = other.source
    }

    /// The images at `indices`, in that order, as Float32 in [-1, 1], with their labels.
    public func selecting(_ indices: [Int]) -> (images: [Float], labels: [Int]?) {
        let size = imageSize
        let out = [Float](unsafeUninitializedCapacity: indices.count * size) { buffer, initialized in
            bytes.withUnsafeBufferPointer { source in
                for (slot, index) in indices.enumerated() {
                    let from = source.baseAddress! + index * size, to = buffer.baseAddress! + slot * size
                    for i in 0..<size { to[i] = Dataset.float(from[i]) }
                }
            }
            initialized = indices.count * size
        }
        return (out, labels.map { all in indices.map { all[$0] } })
    }

    /// Images [start, end) as Float32 in [-1, 1].
    public func images(_ range: Range<Int>) -> [Float] { selecting(Array(range)).images }
}
