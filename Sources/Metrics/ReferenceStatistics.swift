import Foundation
import Storage

/// Cached Gaussian statistics of a real split, keyed by everything that determines them: the dataset's
/// fingerprint, the split, the extractor's hash and the number of images. A cache file whose key differs
/// from the request is never used; it is recomputed and replaced.
public struct ReferenceStatisticsCache {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    public struct Key: Equatable {
        public let datasetFingerprint: String
        public let split: String
        public let extractorHash: String
        public let count: Int

        public init(datasetFingerprint: String, split: String, extractorHash: String, count: Int) {
            self.datasetFingerprint = datasetFingerprint
            self.split = split
            self.extractorHash = extractorHash
            self.count = count
        }

        var fileName: String { "reference-\(datasetFingerprint.prefix(12))-\(split)-\(extractorHash.prefix(12))-\(count).h5" }
        var featuresFileName: String { "reference-features-\(datasetFingerprint.prefix(12))-\(split)-\(extractorHash.prefix(12))-\(count).h5" }
    }

    public func path(for key: Key) -> String { folder + "/" + key.fileName }

    /// The cached statistics when a file with exactly this key exists; nil otherwise (also for a corrupt file).
    public func load(_ key: Key) -> GaussianStatistics? {
        guard let file = try? HDF5File(path: path(for: key)) else { return nil }
        defer { file.close() }
        guard (try? file.stringAttribute("dataset_fingerprint")) == key.datasetFingerprint,
              (try? file.stringAttribute("split")) == key.split,
              (try? file.stringAttribute("extractor_hash")) == key.extractorHash,
              (try? file.integerAttribute("count")) == Int64(key.count),
              let mean = try? file.read(Double.self, at: "/mu"), let sigma = try? file.read(Double.self, at: "/sigma"),
              mean.shape.count == 1, sigma.shape == [mean.shape[0], mean.shape[0]] else { return nil }
        return GaussianStatistics(mean: mean.values, covariance: sigma.values, dimension: mean.shape[0], count: key.count)
    }

    public func store(_ statistics: GaussianStatistics, for key: Key) throws {
        try AtomicFile.writeHDF5(to: path(for: key)) { file in
            try file.write(statistics.mean, shape: [statistics.dimension], at: "/mu")
            try file.write(statistics.covariance, shape: [statistics.dimension, statistics.dimension], at: "/sigma")
            try file.setAttribute("dataset_fingerprint", key.datasetFingerprint)
            try file.setAttribute("split", key.split)
            try file.setAttribute("extractor_hash", key.extractorHash)
            try file.setAttribute("count", Int64(key.count))
        }
    }

    /// Cached features and logits of the reference images (KID and IS need them, not only the
    /// statistics; Inception takes minutes to compute them), or `compute()` stored for next time. A file
    /// is used only when its extractor hash, count and source all match.
    public func features(for key: Key, source: String, compute: () throws -> FeatureSet) throws -> FeatureSet {
        let path = folder + "/" + key.featuresFileName
        if let cached = try? FeatureSet.read(from: path), cached.extractorHash == key.extractorHash, cached.count == key.count,
           cached.source == source {
            return cached
        }
        let fresh = try compute()
        try fresh.write(to: path)
        return fresh
    }

    /// Cached statistics, or `compute()` stored for next time.
    public func statistics(for key: Key, compute: () throws -> GaussianStatistics) throws -> GaussianStatistics {
        if let cached = load(key) { return cached }
        let fresh = try compute()
        try store(fresh, for: key)
        return fresh
    }
}
