import Data
import Foundation
import TensorCore
import XCTest

final class SubsetTests: XCTestCase {
    /// A labelled dataset in memory: 3 classes of 40, 100 and 60 images.
    func dataset() throws -> Dataset {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("augbench-subset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = FixtureWriter(folder: folder)
        let labels = [UInt8](repeating: 0, count: 40) + [UInt8](repeating: 1, count: 100) + [UInt8](repeating: 2, count: 60)
        try writer.writeIDX(prefix: "train", count: 200, rows: 2, columns: 2, gzip: false, labels: labels)
        return try DatasetCatalog.load(DatasetSpec(name: "mnist", path: folder.path, resolution: 2), split: "train")
    }

    func testStratifiedSubsetsAreNestedAndBalanced() throws {
        let data = try dataset()
        let small = try Subset.choose(from: data, fraction: 0.1, seed: 7)
        let medium = try Subset.choose(from: data, fraction: 0.2, seed: 7)
        let full = try Subset.choose(from: data, fraction: 1, seed: 7)
        XCTAssertEqual(small.indices.count, 20)
        XCTAssertTrue(Set(small.indices).isSubset(of: Set(medium.indices)))
        XCTAssertEqual(full.indices, Array(0..<200))
        XCTAssertEqual(small.classCounts, [4, 10, 6] + [Int](repeating: 0, count: 7))
        XCTAssertEqual(medium.classCounts, [8, 20, 12] + [Int](repeating: 0, count: 7))
        for count in 1...200 {  // every prefix within one image of its share
            let subset = try Subset.choose(from: data, count: count, seed: 7)
            for (have, size) in zip(subset.classCounts, [40, 100, 60]) {
                XCTAssertLessThanOrEqual(abs(Double(have) - Double(count * size) / 200), 1.0, "count \(count)")
            }
        }
    }

    func testSeedsAndModes() throws {
        let data = try dataset()
        let a = try Subset.choose(from: data, fraction: 0.1, seed: 1), b = try Subset.choose(from: data, fraction: 0.1, seed: 2)
        XCTAssertNotEqual(a.indices, b.indices)
        XCTAssertEqual(a, try Subset.choose(from: data, fraction: 0.1, seed: 1))
        XCTAssertNotEqual(a.identity, b.identity)
        let uniformSmall = try Subset.choose(from: data, fraction: 0.1, seed: 1, mode: .uniform)
        let uniformLarge = try Subset.choose(from: data, fraction: 0.5, seed: 1, mode: .uniform)
        XCTAssertTrue(Set(uniformSmall.indices).isSubset(of: Set(uniformLarge.indices)))
        XCTAssertThrowsError(try Subset.choose(from: data, fraction: 1.5, seed: 1))
        XCTAssertThrowsError(try Subset.choose(from: data, count: 0, seed: 1))
    }

    func testHeldOutSplitIsDisjointAndComplete() {
        let split = Subset.heldOutSplit(count: 100, heldOutFraction: 0.1, seed: 3)
        XCTAssertEqual(split.heldOut.count, 10)
        XCTAssertEqual(Set(split.train).union(split.heldOut), Set(0..<100))
        XCTAssertTrue(Set(split.train).isDisjoint(with: split.heldOut))
    }

    func testBatchesCoverEachEpochAndResumeExactly() throws {
        let data = try dataset()
        var sampler = BatchSampler(indices: Array(0..<10), seed: 5, flipsImages: false)
        let epoch0 = sampler.nextIndices(10), epoch1 = sampler.nextIndices(10)
        XCTAssertEqual(Set(epoch0), Set(0..<10))
        XCTAssertEqual(Set(epoch1), Set(0..<10))
        XCTAssertNotEqual(epoch0, epoch1, "each epoch reshuffles")
        var first = BatchSampler(indices: Array(0..<200), seed: 9)
        _ = first.next(7, from: data)
        let saved = first.state
        let expected = first.next(30, from: data)
        var resumed = BatchSampler(indices: Array(0..<200), seed: 9)
        resumed.restore(saved)
        let again = resumed.next(30, from: data)
        XCTAssertEqual(again.images.scalars, expected.images.scalars)
        XCTAssertEqual(again.labels, expected.labels)
    }

    func testBaselineFlipMirrorsAboutHalfTheImages() throws {
        let data = try dataset()
        var flipped = BatchSampler(indices: Array(0..<200), seed: 1)
        var plain = BatchSampler(indices: Array(0..<200), seed: 1, flipsImages: false)
        let a = flipped.next(200, from: data).images.scalars, b = plain.next(200, from: data).images.scalars
        var mirrored = 0
        for n in 0..<200 {
            let x = Array(a[(n * 4)..<(n * 4 + 4)]), y = Array(b[(n * 4)..<(n * 4 + 4)])
            if x != y { mirrored += 1; XCTAssertEqual(x, [y[1], y[0], y[3], y[2]]) }
        }
        XCTAssertGreaterThan(mirrored, 70)
        XCTAssertLessThan(mirrored, 130)
    }
}
