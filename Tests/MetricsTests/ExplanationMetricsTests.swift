import Augment
import Data
import Foundation
import Metrics
import Storage
import TensorCore
import TestSupport
import XCTest

/// Precision/recall, density/coverage, memorisation and augmentation leakage.
final class ExplanationMetricsTests: XCTestCase {
    func fixtureSet(_ name: String, _ file: HDF5File) throws -> FeatureSet {
        let (shape, values) = try file.read(Float.self, at: name)
        return FeatureSet(features: values, logits: nil, count: shape[0], dimension: shape[1], classes: 0, extractor: "fixture",
                          extractorHash: "", source: name)
    }

    /// Against the prdc package's own compute_prdc on the same features (Tests/Fixtures/prdc/make_prdc_fixture.py).
    func testPrecisionRecallDensityCoverageMatchThePrdcPackage() throws {
        let file = try HDF5File(path: Fixtures.path("prdc/prdc_fixture.h5"))
        defer { file.close() }
        let scores = try PrecisionRecall.scores(real: try fixtureSet("real", file), fake: try fixtureSet("fake", file))
        XCTAssertEqual(scores.precision, try file.doubleAttribute("precision_k3"), accuracy: 1e-6)
        XCTAssertEqual(scores.recall, try file.doubleAttribute("recall_k3"), accuracy: 1e-6)
        XCTAssertEqual(scores.density, try file.doubleAttribute("density_k5"), accuracy: 1e-6)
        XCTAssertEqual(scores.coverage, try file.doubleAttribute("coverage_k5"), accuracy: 1e-6)
    }

    func testIdenticalSetsScorePerfectly() throws {
        var stream = RandomStream(seed: 4, name: "prdc-identical")
        let values = stream.uniforms(60 * 5)
        let set = FeatureSet(features: values, logits: nil, count: 60, dimension: 5, classes: 0, extractor: "x", extractorHash: "", source: "x")
        let scores = try PrecisionRecall.scores(real: set, fake: set)
        XCTAssertEqual(scores.precision, 1)
        XCTAssertEqual(scores.recall, 1)
        XCTAssertEqual(scores.coverage, 1)
    }

    /// Copies of training rows are all memorised (share 1, ratio 0); fresh draws from the same distribution
    /// sit as far from the training set as held-out draws do (ratio near 1, share small).
    func testMemorisationSeparatesCopiesFromFreshSamples() throws {
        var stream = RandomStream(seed: 9, name: "memorisation")
        let (n, d) = (40, 6)
        let training = stream.uniforms(n * d), heldOut = stream.uniforms(200 * d), fresh = stream.uniforms(200 * d)
        let copies = Array(training.prefix(10 * d))
        let memorised = try Memorisation.scores(generated: copies, generatedCount: 10, training: training, trainingCount: n,
                                                heldOut: heldOut, heldOutCount: 200, dimension: d)
        XCTAssertEqual(memorised.share, 1)
        XCTAssertEqual(memorised.ratio, 0, accuracy: 1e-6)
        let generalised = try Memorisation.scores(generated: fresh, generatedCount: 200, training: training, trainingCount: n,
                                                  heldOut: heldOut, heldOutCount: 200, dimension: d)
        XCTAssertLessThan(generalised.share, 0.05)
        XCTAssertEqual(generalised.ratio, 1, accuracy: 0.2)
        let nearest = Memorisation.nearest(copies, count: 10, in: training, trainingCount: n, dimension: d)
        XCTAssertEqual(nearest.map(\.index), Array(0..<10))
    }

    /// Constructed images: a black (−1) image with a pasted grey square, one with a grey top band, and a clean one.
    func testLeakageDetectorsOnConstructedImages() {
        let (h, w) = (32, 32)
        var images = [Float](repeating: -1, count: 4 * h * w)
        for i in 10..<20 { for j in 5..<15 { images[0 * h * w + i * w + j] = 0.02 } }           // a 10×10 cutout hole
        for i in 0..<3 { for j in 0..<w { images[1 * h * w + i * w + j] = 0 } }                  // 3 rows shifted in
        for i in 0..<6 { for j in 0..<6 { images[2 * h * w + i * w + j] = 0 } }                  // 6×6: below cutout's smallest hole
        let shares = AugmentationLeakage.shares(images, count: 4, channels: 1, height: h, width: w)
        XCTAssertEqual(shares.cutout, 0.25, "only the 10×10 square reads as cutout")
        XCTAssertEqual(shares.translation, 0.25, "only the full top band reads as translation")
    }

    /// Real Fashion-MNIST images through the policy's own ops: cutout always leaves a hole of at least 8×8,
    /// translation a grey edge band unless the shift is 0; the clean images show neither.
    func testLeakageDetectorsOnRealAugmentedBatches() throws {
        guard FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTFolder + "/t10k-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (run scripts/setup)")
        }
        let data = try DatasetCatalog.load(DatasetSpec(name: "fashion-mnist"), split: "test")
        let count = 200
        let x = Tensor(shape: [count, 1, 32, 32], scalars: data.images(0..<count))
        var stream = RandomStream(seed: 3, name: "leakage")
        let clean = AugmentationLeakage.shares(x.scalars, count: count, channels: 1, height: 32, width: 32)
        let cut = try Policy("cutout")(x, stream: &stream)
        let shifted = try Policy("translation")(x, stream: &stream)
        let withCutout = AugmentationLeakage.shares(cut.scalars, count: count, channels: 1, height: 32, width: 32)
        let withShift = AugmentationLeakage.shares(shifted.scalars, count: count, channels: 1, height: 32, width: 32)
        print("ExplanationMetricsTests: clean \(clean), cutout \(withCutout), translation \(withShift)")
        XCTAssertLessThan(clean.cutout, 0.05)
        XCTAssertLessThan(clean.translation, 0.05)
        XCTAssertGreaterThan(withCutout.cutout, 0.95)
        XCTAssertGreaterThan(withShift.translation, 0.9)
    }

    /// Against a reference of one asymmetric image (a bright bar along the top, a block at the left), its
    /// quarter turns read as turned and its mirror image as mirrored; the image itself as neither. Gray and RGB.
    func testOrientationOnConstructedImages() {
        for channels in [1, 3] {
            let side = 12, size = channels * side * side
            var base = [Float](repeating: -1, count: size)
            for c in 0..<channels { for j in 0..<side { base[c * side * side + j] = 1 } }
            for c in 0..<channels { for i in 4..<8 { for j in 0..<3 { base[(c * side + i) * side + j] = 0.5 } } }
            let x = Tensor(shape: [1, channels, side, side], scalars: base)
            let turns = Tensor.concatenated([x, GeometricOps.rotation90(x, [1]), GeometricOps.rotation90(x, [2]),
                                             GeometricOps.rotation90(x, [3])], alongAxis: 0)
            let turned = OrientationLeakage.shares(turns.scalars, count: 4, channels: channels, height: side, width: side,
                                                   reference: base, referenceCount: 1)
            XCTAssertEqual(turned.turned, 0.75, "the three turned copies: \(turned)")
            let flips = Tensor.concatenated([x, GeometricOps.horizontalFlip(x, [true])], alongAxis: 0)
            let mirrored = OrientationLeakage.shares(flips.scalars, count: 2, channels: channels, height: side, width: side,
                                                     reference: base, referenceCount: 1)
            XCTAssertEqual(mirrored.mirrored, 0.5, "only the flipped copy: \(mirrored)")
            XCTAssertEqual(mirrored.turned, 0)
        }
        let wide = OrientationLeakage.shares([Float](repeating: 0.1, count: 6), count: 1, channels: 1, height: 2, width: 3,
                                             reference: [0, 0, 1, 0, 0, 1], referenceCount: 1)
        XCTAssertNil(wide.turned, "no quarter turns of a non-square image")
    }

    /// Real Fashion-MNIST images against 1,000 others: few read as turned or mirrored, also blurred, a batch
    /// through `rotation` (a random quarter turn each) mostly reads as turned, and a batch flipped whole reads
    /// as mirrored far more often than the data.
    func testOrientationOnRealAugmentedBatches() throws {
        guard FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTFolder + "/t10k-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (run scripts/setup)")
        }
        let data = try DatasetCatalog.load(DatasetSpec(name: "fashion-mnist"), split: "test")
        let count = 300
        let reference = data.images(1000..<2000)
        let x = Tensor(shape: [count, 1, 32, 32], scalars: data.images(0..<count))
        var stream = RandomStream(seed: 4, name: "orientation")
        let rotated = try Policy("rotation")(x, stream: &stream)
        let flipped = GeometricOps.horizontalFlip(x, [Bool](repeating: true, count: count))
        func shares(_ t: Tensor) -> OrientationLeakage.Shares {
            OrientationLeakage.shares(t.scalars, count: count, channels: 1, height: 32, width: 32, reference: reference, referenceCount: 1000)
        }
        let (clean, turned, mirrored) = (shares(x), shares(rotated), shares(flipped))
        print("ExplanationMetricsTests: orientation clean \(clean), rotation \(turned), flipped \(mirrored)")
        XCTAssertLessThan(clean.turned!, 0.1)
        XCTAssertLessThan(clean.mirrored, 0.1)
        XCTAssertGreaterThan(turned.turned!, 0.6)
        XCTAssertGreaterThan(mirrored.mirrored, clean.mirrored + 0.2)
        // Images that no reference image fits closely (blurred, like a generator's novel samples) must not read
        // as turned or mirrored by chance: the margin's job.
        let blurred = shares(withoutGradients { x.avgPool2d(kernel: 3, stride: 1, padding: 1, countingPadding: false) })
        XCTAssertLessThan(blurred.turned!, 0.1, "\(blurred)")
        XCTAssertLessThan(blurred.mirrored, 0.1, "\(blurred)")
    }
}
