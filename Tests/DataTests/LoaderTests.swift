import Data
import Foundation
import TestSupport
import XCTest

final class LoaderTests: XCTestCase {
    var fixtures: FixtureWriter!

    override func setUpWithError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("augbench-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        fixtures = FixtureWriter(folder: folder)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: fixtures.folder) }

    func spec(_ name: String, resolution: Int = 32, channels: Int? = nil) -> DatasetSpec {
        DatasetSpec(name: name, path: fixtures.folder.path, resolution: resolution, channels: channels)
    }

    func error(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    func testIDXGzipAndRawArePaddedTo32() throws {
        for gzip in [true, false] {
            try fixtures.writeIDX(prefix: "train", count: 5, gzip: gzip)
            let data = try DatasetCatalog.load(spec("mnist"), split: "train")
            XCTAssertEqual(data.count, 5)
            XCTAssertEqual(data.imageShape, [1, 32, 32])
            XCTAssertEqual(data.labels, [0, 1, 2, 3, 4])
            let image = data.selecting([3]).images
            XCTAssertEqual(image[0], -1, "the 2-pixel border is black")
            XCTAssertEqual(image[2 * 32 + 2], Dataset.float(UInt8((3 * 7) % 256)), "pixel (0, 0) of image 3")
            XCTAssertEqual(image[(2 + 5) * 32 + 2 + 4], Dataset.float(UInt8((3 * 7 + 15 + 4) % 256)))
            try? FileManager.default.removeItem(atPath: fixtures.path("train-images-idx3-ubyte.gz"))
            try? FileManager.default.removeItem(atPath: fixtures.path("train-labels-idx1-ubyte.gz"))
        }
    }

    func testCorruptIDXFilesAreNamedWithTheProblem() throws {
        try fixtures.writeIDX(prefix: "train", count: 3, gzip: false, imageMagic: 0x0802)
        XCTAssertTrue(error { try DatasetCatalog.load(spec("mnist"), split: "train") }.contains("magic number 0x00000802, expected 0x00000803"))
        try fixtures.writeIDX(prefix: "train", count: 3, gzip: false, dropBytes: 10)
        XCTAssertTrue(error { try DatasetCatalog.load(spec("mnist"), split: "train") }.contains("the header promises 3×28×28"))
        try fixtures.writeIDX(prefix: "train", count: 3, gzip: false, labelCount: 2, labels: [0, 1])
        XCTAssertTrue(error { try DatasetCatalog.load(spec("mnist"), split: "train") }.contains("2 labels for 3 images"))
        try fixtures.writeIDX(prefix: "train", count: 3, gzip: false, labels: [0, 12, 1])
        XCTAssertTrue(error { try DatasetCatalog.load(spec("mnist"), split: "train") }.contains("label 12 at record 1 is outside 0…9"))
        // A gzip stream cut short.
        try fixtures.writeIDX(prefix: "t10k", count: 50, gzip: true)
        let gz = try Data(contentsOf: URL(fileURLWithPath: fixtures.path("t10k-images-idx3-ubyte.gz")))
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: fixtures.path("t10k-images-idx3-ubyte.gz")))
        let message = error { try DatasetCatalog.load(spec("mnist"), split: "test") }
        XCTAssertTrue(message.hasPrefix(fixtures.path("t10k-images-idx3-ubyte.gz")), message)
    }

    /// Headers whose sizes overflow or promise no images are errors naming the file, not traps.
    func testIDXHeadersWithHugeOrZeroSizesAreErrors() throws {
        let huge = FixtureWriter.bigEndian(0x0803) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        try fixtures.write(huge, to: "train-images-idx3-ubyte", gzip: false)
        try fixtures.write(FixtureWriter.bigEndian(0x0801) + FixtureWriter.bigEndian(0), to: "train-labels-idx1-ubyte", gzip: false)
        let overflow = error { try DatasetCatalog.load(spec("mnist"), split: "train") }
        XCTAssertTrue(overflow.contains("train-images-idx3-ubyte") && overflow.contains("the header promises 4294967295×4294967295×4294967295"), overflow)
        try fixtures.writeIDX(prefix: "train", count: 0, gzip: false)
        let empty = error { try DatasetCatalog.load(spec("mnist"), split: "train") }
        XCTAssertTrue(empty.contains("holds no images (header: 0×28×28)"), empty)
    }

    func testMissingDatasetSaysWhereAndHow() {
        let message = error { try DatasetCatalog.load(DatasetSpec(name: "fashion-mnist", path: "/nonexistent/fmnist"), split: "train") }
        XCTAssertTrue(message.contains("/nonexistent/fmnist/train-images-idx3-ubyte[.gz]: not found"), message)
        XCTAssertTrue(message.contains("apt-get install dataset-fashion-mnist"), message)
        XCTAssertTrue(error { try DatasetCatalog.load(DatasetSpec(name: "imagenet"), split: "train") }.contains("unknown dataset"))
    }

    func testCIFAR10AndCIFAR100Layouts() throws {
        for batch in 1...5 { try fixtures.writeCIFAR("data_batch_\(batch).bin", labels: [[UInt8(batch)], [9]]) }
        try fixtures.writeCIFAR("test_batch.bin", labels: [[3]])
        let train = try DatasetCatalog.load(spec("cifar10"), split: "train")
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(train.labels, [1, 9, 2, 9, 3, 9, 4, 9, 5, 9])
        let second = train.selecting([1]).images
        XCTAssertEqual(second[0], Dataset.float(1))       // record 1, red plane
        XCTAssertEqual(second[1024], Dataset.float(2))    // green plane
        XCTAssertEqual(try DatasetCatalog.load(spec("cifar10"), split: "test").count, 1)
        try fixtures.writeCIFAR("train.bin", labels: [[1, 99], [0, 42]])
        XCTAssertEqual(try DatasetCatalog.load(spec("cifar100"), split: "train").labels, [99, 42], "the fine label")
    }

    func testCorruptCIFAR() throws {
        try fixtures.writeCIFAR("test_batch.bin", labels: [[3], [4]], truncate: 100)
        XCTAssertTrue(error { try DatasetCatalog.load(spec("cifar10"), split: "test") }.contains("not a whole number of 3073-byte records"))
        try fixtures.writeCIFAR("test_batch.bin", labels: [[3], [10]])
        XCTAssertTrue(error { try DatasetCatalog.load(spec("cifar10"), split: "test") }.contains("record 1 has label 10, outside 0…9"))
    }

    func testImageFoldersFlatAndByClassWithAreaResize() throws {
        // 8×8 gray: value 10·(x/2) + 100·(y/2) is constant on 2×2 blocks, so a 4×4 area resize is exact.
        try fixtures.writePNG("flat/a.png", width: 8, height: 8, channels: 1) { x, y, _ in UInt8(10 * (x / 2) + 40 * (y / 2)) }
        try fixtures.writePNG("flat/b.png", width: 8, height: 8, channels: 3) { x, _, c in UInt8(c == 0 ? 200 : x) }
        let flat = try DatasetCatalog.load(DatasetSpec(name: "folder", path: fixtures.path("flat"), resolution: 4, channels: 1), split: "train")
        XCTAssertEqual(flat.count, 2)
        XCTAssertNil(flat.labels)
        XCTAssertEqual(Array(flat.bytes[0..<4]), [0, 10, 20, 30])
        XCTAssertEqual(flat.bytes[4 * 3], 120)
        // RGB → gray by luma: 0.299·200 + 0.587·x + 0.114·x averaged over 2 columns.
        XCTAssertEqual(flat.bytes[16], UInt8((0.299 * 200 + 0.701 * 0.5).rounded()))
        try fixtures.writePNG("classes/cat/1.png", width: 4, height: 4, channels: 3) { _, _, _ in 1 }
        try fixtures.writePNG("classes/dog/1.png", width: 4, height: 4, channels: 3) { _, _, _ in 2 }
        try fixtures.writePNG("classes/dog/2.png", width: 4, height: 4, channels: 3) { _, _, _ in 3 }
        let classes = try DatasetCatalog.load(DatasetSpec(name: "folder", path: fixtures.path("classes"), resolution: 4), split: "train")
        XCTAssertEqual(classes.labels, [0, 1, 1])
        XCTAssertEqual(classes.classNames, ["cat", "dog"])
        XCTAssertEqual(classes.imageShape, [3, 4, 4])
    }

    func testCorruptPNGInAFolderIsNamed() throws {
        try fixtures.writePNG("bad/ok.png", width: 4, height: 4, channels: 1) { _, _, _ in 0 }
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: fixtures.path("bad/zz.png")))
        let message = error { try DatasetCatalog.load(DatasetSpec(name: "folder", path: fixtures.path("bad")), split: "train") }
        XCTAssertTrue(message.hasPrefix(fixtures.path("bad/zz.png")), message)
    }

    func testFingerprintFollowsContent() throws {
        try fixtures.writeCIFAR("test_batch.bin", labels: [[3], [4]])
        let a = try DatasetCatalog.load(spec("cifar10"), split: "test").fingerprint
        XCTAssertEqual(a, try DatasetCatalog.load(spec("cifar10"), split: "test").fingerprint)
        try fixtures.writeCIFAR("test_batch.bin", labels: [[3], [5]])
        XCTAssertNotEqual(a, try DatasetCatalog.load(spec("cifar10"), split: "test").fingerprint)
    }
}
