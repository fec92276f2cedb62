import Experiments
import Results
import Foundation
import TestSupport
import XCTest

final class ConfigTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-config") }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func error(_ text: String) throws -> String {
        let path = try write("c.json", text)
        do { _ = try Grid.expand(try ConfigLoader.load(path)); return "no error" } catch { return "\(error)" }
    }

    func testDefaultsAndOverrides() throws {
        let path = try write("c.json", #"{"training": {"iterations": 10}, "subset": {"fraction": 0.5}}"#)
        let experiments = try Grid.expand(try ConfigLoader.load(path))
        XCTAssertEqual(experiments.count, 1)
        XCTAssertEqual(experiments[0].config.training.iterations, 10)
        XCTAssertEqual(experiments[0].config.subset.fraction, 0.5)
        XCTAssertEqual(experiments[0].config.training.batchSize, 64)
    }

    func testUnknownKeysAndWrongTypesNameThePath() throws {
        let path = folder.appendingPathComponent("c.json").path
        XCTAssertTrue(try error(#"{"training": {"iteratons": 10}}"#).hasPrefix("\(path): training.iteratons: unknown key"))
        XCTAssertTrue(try error(#"{"training": {"iteratons": 10}}"#).contains("known keys here: batch_size"))
        XCTAssertEqual(try error(#"{"training": {"iterations": "ten"}}"#), "\(path): training.iterations: found \"ten\" (a string), expected an integer")
        XCTAssertEqual(try error(#"{"training": {"iterations": 2.5}}"#), "\(path): training.iterations: found 2.5 (a number), expected an integer")
        XCTAssertEqual(try error(#"{"model": {"size": "big"}}"#), "\(path): model.size: found \"big\" (a string), expected a number")
        XCTAssertTrue(try error(#"{"augment": {"strategy": "magic"}}"#).contains("augment.strategy: found \"magic\", expected one of: none, reals-only"))
        XCTAssertTrue(try error(#"{"model": {"architecture": "biggan"}, "dataset": {"name": "fashion-mnist"}}"#).contains("model.architecture: BigGAN generates RGB images; dataset fashion-mnist has 1 channel"))
        XCTAssertTrue(try error(#"{"evaluation": {"extractor": "clip"}}"#).contains("evaluation.extractor: found \"clip\", expected one of: featurenet, inception"))
        XCTAssertTrue(try error(#"{"augment": {"policy": "color,blur"}}"#).contains("augment.policy: unknown augmentation 'blur'"))
        XCTAssertTrue(try error(#"{"subset": {"fraction": 0}}"#).contains("subset.fraction: found 0.0, expected a number in (0, 1]"))
        XCTAssertTrue(try error("{not json").contains("not valid JSON"))
    }

    func testExtendsMergesAndDetectsCycles() throws {
        try write("base.json", #"{"training": {"iterations": 10, "batch_size": 8}, "augment": {"policy": "cutout"}}"#)
        let path = try write("child.json", #"{"extends": "base.json", "training": {"iterations": 20}}"#)
        let config = try Grid.expand(try ConfigLoader.load(path))[0].config
        XCTAssertEqual(config.training.iterations, 20)
        XCTAssertEqual(config.training.batchSize, 8)
        XCTAssertEqual(config.augment.policy, "cutout")
        try write("a.json", #"{"extends": "b.json"}"#)
        try write("b.json", #"{"extends": "a.json"}"#)
        XCTAssertThrowsError(try ConfigLoader.load(folder.appendingPathComponent("a.json").path)) { XCTAssertTrue("\($0)".contains("circular"), "\($0)") }
    }

    func testGridExpansionExclusionsAndIds() throws {
        let path = try write("grid.json", #"""
        {"grid": {"strategy": ["none", "diffaugment", "reals-only"], "fraction": [0.1, 0.2], "seed": [0, 1]},
         "exclude": [{"strategy": "reals-only", "fraction": 0.2}]}
        """#)
        let experiments = try Grid.expand(try ConfigLoader.load(path))
        XCTAssertEqual(experiments.count, 3 * 2 * 2 - 2)
        let ids = experiments.map { $0.id(datasetFingerprint: "fp") }
        XCTAssertEqual(Set(ids).count, ids.count, "every experiment has its own id")
        // Renaming the grid or reordering axes does not change ids.
        let renamed = try write("renamed.json", #"""
        {"name": "other", "grid": {"seed": [0, 1], "fraction": [0.1, 0.2], "strategy": ["reals-only", "diffaugment", "none"]},
         "exclude": [{"fraction": 0.2, "strategy": "reals-only"}]}
        """#)
        XCTAssertEqual(Set(try Grid.expand(try ConfigLoader.load(renamed)).map { $0.id(datasetFingerprint: "fp") }), Set(ids))
        XCTAssertNotEqual(experiments[0].id(datasetFingerprint: "fp"), experiments[0].id(datasetFingerprint: "other-data"))
        XCTAssertTrue(try error(#"{"grid": {"colour": [1]}}"#).contains("grid.colour: unknown axis"))
        XCTAssertTrue(try error(#"{"grid": {"fraction": ["a"]}}"#).contains("grid.fraction[0]: found \"a\" (a string), expected a number"))
    }

    func testShippedConfigsAreValid() throws {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs")
        let files = FileManager.default.enumerator(atPath: configs.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            XCTAssertNoThrow(try Grid.expand(try ConfigLoader.load(configs.appendingPathComponent(file).path)), file)
        }
    }

    /// Every committed run folder's name is the content id of its own config.json and dataset fingerprint:
    /// a change to what ids hash (a new config field, a changed default) that would orphan stored runs fails here.
    func testCommittedRunsKeepTheirContentIds() throws {
        let store = Fixtures.repository.appendingPathComponent("results/runs")
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: store.path)) ?? []
        XCTAssertFalse(ids.isEmpty, "the repository holds stored runs")
        for id in ids {
            let folder = RunDirectory(store.appendingPathComponent(id))
            guard FileManager.default.fileExists(atPath: folder.path("result.json")) else { continue }  // still training here
            let config = try ExperimentConfig.decodeStored(try Data(contentsOf: URL(fileURLWithPath: folder.path("config.json"))),
                                                           file: folder.path("config.json"))
            let result = try XCTUnwrap(folder.result, "\(id)'s result.json is readable")
            XCTAssertEqual(Experiment(config: config, axisValues: []).id(datasetFingerprint: result.datasetFingerprint), id)
        }
    }

    /// --only: pairs split at commas, but a piece without "=" belongs to the value before it (policies).
    func testOnlyKeepsCommasInsideValues() {
        func parsed(_ text: String) -> [String]? { RunOptions.parseOnly(text)?.map { "\($0.axis)=\($0.value)" } }
        XCTAssertEqual(parsed("strategy=diffaugment,fraction=0.1"), ["strategy=diffaugment", "fraction=0.1"])
        XCTAssertEqual(parsed("policy=translation,cutout"), ["policy=translation,cutout"])
        XCTAssertEqual(parsed("policy=color,translation,cutout,strategy=none"), ["policy=color,translation,cutout", "strategy=none"])
        XCTAssertEqual(parsed(" strategy = none "), ["strategy=none"])
        for bad in ["cutout", "", "=none", "strategy=none,,fraction=1", "strategy=none,"] { XCTAssertNil(parsed(bad), bad) }
    }
}
