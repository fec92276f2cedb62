import Data
import Foundation
import TestSupport
import XCTest

/// The real datasets, when present: Fashion-MNIST from the Debian package, CIFAR-10 from AUGBENCH_DATA.
final class RealDataTests: XCTestCase {
    func testFashionMNIST() throws {
        let spec = DatasetSpec(name: "fashion-mnist")
        guard FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTFolder + "/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST not installed at \(DatasetCatalog.fashionMNISTFolder) (run scripts/setup)")
        }
        let train = try DatasetCatalog.load(spec, split: "train"), test = try DatasetCatalog.load(spec, split: "test")
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(train.imageShape, [1, 32, 32])
        XCTAssertEqual(train.classCounts, [Int](repeating: 6_000, count: 10))
        let subset = try Subset.choose(from: train, fraction: 0.01, seed: 0)
        XCTAssertEqual(subset.classCounts, [Int](repeating: 60, count: 10))
    }

    func testCIFAR10() throws {
        guard let shared = Fixtures.sharedData, FileManager.default.fileExists(atPath: shared.path + "/cifar-10-batches-bin") else {
            throw XCTSkip("CIFAR-10 not available: set AUGBENCH_DATA to a folder with cifar-10-batches-bin (.ci/run uses ../shared/data)")
        }
        let spec = DatasetSpec(name: "cifar10", path: shared.path + "/cifar-10-batches-bin")
        let train = try DatasetCatalog.load(spec, split: "train")
        XCTAssertEqual(train.count, 50_000)
        XCTAssertEqual(train.classCounts, [Int](repeating: 5_000, count: 10))
        XCTAssertEqual(train.classNames?.first, "airplane")
        // Per-channel means of the training set as ../shared/data/README.md states: 0.4914 / 0.4822 / 0.4465.
        var sums = [Double](repeating: 0, count: 3)
        for (index, byte) in train.bytes.enumerated() { sums[(index / 1024) % 3] += Double(byte) }
        let means = sums.map { $0 / (50_000 * 1024 * 255) }
        XCTAssertEqual(means[0], 0.4914, accuracy: 1e-4)
        XCTAssertEqual(means[1], 0.4822, accuracy: 1e-4)
        XCTAssertEqual(means[2], 0.4465, accuracy: 1e-4)
    }
}
