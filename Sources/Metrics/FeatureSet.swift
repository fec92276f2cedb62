import Foundation
import Storage

/// Features [N, D] and logits [N, K] of one image set, as stored in a feature file: HDF5 datasets
/// `features` and `logits` (Float32 or Float64: files from h5py are accepted) and attributes naming the
/// extractor, its hash and the source.
public struct FeatureSet {
    public var features: [Float]
    public var logits: [Float]?
    public let count: Int
    public let dimension: Int
    public let classes: Int
    public var extractor: String
    public var extractorHash: String
    public var source: String
    public var path: String = "<memory>"

    public init(features: [Float], logits: [Float]?, count: Int, dimension: Int, classes: Int,
                extractor: String, extractorHash: String, source: String) {
        self.features = features
        self.logits = logits
        self.count = count
        self.dimension = dimension
        self.classes = classes
        self.extractor = extractor
        self.extractorHash = extractorHash
        self.source = source
    }

    public func write(to path: String) throws {
        try AtomicFile.writeHDF5(to: path) { file in
            try file.write(features, shape: [count, dimension], at: "/features")
            if let logits { try file.write(logits, shape: [count, classes], at: "/logits") }
            try file.setAttribute("extractor", extractor)
            try file.setAttribute("extractor_hash", extractorHash)
            try file.setAttribute("source", source)
            try file.setAttribute("count", Int64(count))
        }
    }

    /// Rows `range` of this set (features and logits), for example one half of a test set's features.
    /// Needs at least 2 rows inside `0..<count`.
    public func rows(_ range: Range<Int>) throws -> FeatureSet {
        guard range.lowerBound >= 0, range.upperBound <= count, range.count >= 2 else {
            throw StorageError(file: path, path: "/features", "has rows 0..<\(count); rows \(range.lowerBound)..<\(range.upperBound) are not at least 2 rows inside them")
        }
        var part = FeatureSet(features: Array(features[(range.lowerBound * dimension)..<(range.upperBound * dimension)]),
                              logits: logits.map { Array($0[(range.lowerBound * classes)..<(range.upperBound * classes)]) },
                              count: range.count, dimension: dimension, classes: classes,
                              extractor: extractor, extractorHash: extractorHash,
                              source: "\(source) rows \(range.lowerBound)..<\(range.upperBound)")
        part.path = "\(path)[\(range.lowerBound):\(range.upperBound)]"
        return part
    }

    /// Reads a feature file, requiring `features` (and `logits` when `needsLogits`), at least 2 rows and
    /// only finite values.
    public static func read(from path: String, needsLogits: Bool = false) throws -> FeatureSet {
        let file = try HDF5File(path: path)
        defer { file.close() }
        let features = try file.read(Float.self, at: "/features", expectingShape: [nil, nil])
        let (n, d) = (features.shape[0], features.shape[1])
        guard n >= 2 else { throw StorageError(file: path, path: "/features", "has \(n) row(s); at least 2 are needed") }
        if let bad = features.values.firstIndex(where: { !$0.isFinite }) {
            throw StorageError(file: path, path: "/features", "holds a non-finite value (\(features.values[bad])) at row \(bad / d)")
        }
        var logits: [Float]?, k = 0
        if file.exists("/logits") {
            let read = try file.read(Double.self, at: "/logits", expectingShape: [n, nil])
            if let bad = read.values.firstIndex(where: { !$0.isFinite }) {
                throw StorageError(file: path, path: "/logits", "holds a non-finite value at row \(bad / read.shape[1])")
            }
            logits = read.values.map(Float.init)
            k = read.shape[1]
        } else if needsLogits {
            throw StorageError(file: path, path: "/logits", "missing: this metric needs class logits")
        }
        let attribute = { (name: String) in (try? file.stringAttribute(name)) ?? "unknown" }
        var set = FeatureSet(features: features.values, logits: logits, count: n, dimension: d, classes: k,
                             extractor: attribute("extractor"), extractorHash: attribute("extractor_hash"), source: attribute("source"))
        set.path = path
        return set
    }
}
