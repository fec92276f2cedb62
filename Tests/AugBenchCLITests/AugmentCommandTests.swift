import Foundation
import Storage
import TestSupport
import XCTest

final class AugmentCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-cli") }

    /// Copies one golden case into a stand-alone input file, as another implementation would write it.
    func makeInput(case name: String, dropping: String? = nil) throws -> String {
        let golden = try HDF5File(path: Fixtures.path("diffaugment_golden.h5"))
        let path = folder.appendingPathComponent("in.h5").path
        try AtomicFile.writeHDF5(to: path) { out in
            for dataset in try golden.children(of: "/" + name) where !["output", "input_grad", dropping].contains(dataset) {
                let source = "/\(name)/\(dataset)"
                if ["translation", "cutout"].contains(dataset) {
                    let (shape, values) = try golden.read(Int64.self, at: source)
                    try out.write(values, shape: shape, at: "/" + dataset)
                } else {
                    let (shape, values) = try golden.read(Float.self, at: source)
                    try out.write(values, shape: shape, at: "/" + dataset)
                }
            }
        }
        return path
    }

    func testAugmentReproducesTheOfficialOutputAndGradient() throws {
        let input = try makeInput(case: "case004")
        let output = folder.appendingPathComponent("out.h5").path
        let result = try CommandRunner.run(["augment", "--policy", "color,translation,cutout", "--input", input, "--output", output])
        XCTAssertEqual(result.status, 0, result.stderr)
        let golden = try HDF5File(path: Fixtures.path("diffaugment_golden.h5")), produced = try HDF5File(path: output)
        for (ours, theirs) in [("/output", "/case004/output"), ("/input_grad", "/case004/input_grad")] {
            let a = try produced.read(Float.self, at: ours).values, b = try golden.read(Float.self, at: theirs).values
            XCTAssertLessThanOrEqual(zip(a, b).map { abs($0 - $1) }.max()!, 1e-5, ours)
        }
    }

    func testMissingParameterNamesFileAndDataset() throws {
        let input = try makeInput(case: "case003", dropping: "cutout")
        let result = try CommandRunner.run(["augment", "--policy", "translation,cutout", "--input", input,
                                            "--output", folder.appendingPathComponent("o.h5").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(input): /cutout: missing"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("o.h5").path))
    }

    func testSeedSamplesAndWritesParameters() throws {
        let input = try makeInput(case: "case003", dropping: "cutout")
        let output = folder.appendingPathComponent("sampled.h5").path
        let result = try CommandRunner.run(["augment", "--policy", "translation,cutout", "--input", input, "--output", output, "--seed", "5"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let produced = try HDF5File(path: output)
        XCTAssertEqual(try produced.shape(of: "/cutout"), [2, 2])
        XCTAssertTrue(try produced.read(Int64.self, at: "/translation").values.allSatisfy { abs($0) <= 4 })
    }

    func testUnknownPolicyIsAUsageError() throws {
        let result = try CommandRunner.run(["augment", "--policy", "color,blur", "--input", "x.h5", "--output", "y.h5"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("unknown augmentation 'blur'"), result.stderr)
    }
}
