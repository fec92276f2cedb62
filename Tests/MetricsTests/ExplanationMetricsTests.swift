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
}
