import Foundation
import Metrics
import Storage
import TestSupport
import XCTest

final class FeatureFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-features") }

    func write(_ name: String, _ body: (HDF5File) throws -> Void) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try AtomicFile.writeHDF5(to: path, body)
        return path
    }

    func testReadsFloat64FilesAsOtherToolsWriteThem() throws {
        let path = try write("h5py.h5") { file in
            try file.write([1.0, 2, 3, 4, 5, 6], shape: [3, 2], at: "/features")
            try file.write([0.5, -0.5, 1, 0, 2, 2], shape: [3, 2], at: "/logits")
        }
        let set = try FeatureSet.read(from: path, needsLogits: true)
        XCTAssertEqual(set.count, 3)
        XCTAssertEqual(set.dimension, 2)
        XCTAssertEqual(set.features, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(set.extractor, "unknown")
    }

    func testBadFeatureFiles() throws {
        let nan = try write("nan.h5") { try $0.write([1, Float.nan, 3, 4], shape: [2, 2], at: "/features") }
        XCTAssertThrowsError(try FeatureSet.read(from: nan)) { XCTAssertTrue("\($0)".contains("/features: holds a non-finite value"), "\($0)") }
        let single = try write("single.h5") { try $0.write([Float(1), 2], shape: [1, 2], at: "/features") }
        XCTAssertThrowsError(try FeatureSet.read(from: single)) { XCTAssertTrue("\($0)".contains("at least 2 are needed"), "\($0)") }
        let noLogits = try write("nologits.h5") { try $0.write([Float(1), 2, 3, 4], shape: [2, 2], at: "/features") }
        XCTAssertThrowsError(try FeatureSet.read(from: noLogits, needsLogits: true)) { XCTAssertTrue("\($0)".contains("/logits: missing"), "\($0)") }
        let flat = try write("flat.h5") { try $0.write([Float(1), 2, 3, 4], shape: [4], at: "/features") }
        XCTAssertThrowsError(try FeatureSet.read(from: flat)) { XCTAssertTrue("\($0)".contains("expected [*, *]"), "\($0)") }
    }

    func testReferenceCacheIsUsedOnlyForItsExactKey() throws {
        let cache = ReferenceStatisticsCache(folder: folder.path)
        let key = ReferenceStatisticsCache.Key(datasetFingerprint: "abc", split: "test", extractorHash: "h1", count: 3)
        let stats = GaussianStatistics(features: [1, 2, 3, 5, 4, 4], count: 3, dimension: 2)
        var computed = 0
        _ = try cache.statistics(for: key) { computed += 1; return stats }
        let again = try cache.statistics(for: key) { computed += 1; return stats }
        XCTAssertEqual(computed, 1)
        XCTAssertEqual(again.mean, stats.mean)
        XCTAssertEqual(again.covariance, stats.covariance)
        for other in [ReferenceStatisticsCache.Key(datasetFingerprint: "abc", split: "test", extractorHash: "h2", count: 3),
                      ReferenceStatisticsCache.Key(datasetFingerprint: "abc", split: "test", extractorHash: "h1", count: 4)] {
            XCTAssertNil(cache.load(other))
        }
        // A cache file rewritten under the same name with another key is not trusted.
        try AtomicFile.writeHDF5(to: cache.path(for: key)) { file in
            try file.write([0.0, 0], shape: [2], at: "/mu")
            try file.write([1.0, 0, 0, 1], shape: [2, 2], at: "/sigma")
            try file.setAttribute("dataset_fingerprint", "stale")
        }
        XCTAssertNil(cache.load(key))
    }

    func testReferenceFeatureCacheMatchesHashCountAndSource() throws {
        let cache = ReferenceStatisticsCache(folder: folder.path)
        let key = ReferenceStatisticsCache.Key(datasetFingerprint: "abc", split: "test", extractorHash: "h1", count: 3)
        let set = FeatureSet(features: [1, 2, 3, 5, 4, 4], logits: [0.5, 1, 2], count: 3, dimension: 2, classes: 1,
                             extractor: "e", extractorHash: "h1", source: "cifar10 test")
        var computed = 0
        let first = try cache.features(for: key, source: "cifar10 test") { computed += 1; return set }
        let again = try cache.features(for: key, source: "cifar10 test") { computed += 1; return set }
        XCTAssertEqual(computed, 1)
        XCTAssertEqual(again.features, first.features)
        XCTAssertEqual(again.logits, first.logits)
        _ = try cache.features(for: key, source: "another source") { computed += 1; return set }
        XCTAssertEqual(computed, 2, "a cached file with another source is recomputed")
    }
}
