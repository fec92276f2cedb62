import Foundation
import TensorCore
import TestSupport
import XCTest

final class DoctorTests: XCTestCase {
    private func kernelLine(_ output: CommandRunner.Output) -> String {
        output.stdout.split(separator: "\n").first { $0.hasPrefix("BLAS kernel") }.map(String.init) ?? ""
    }

    func testDoctorRunsTheBestKernelWithoutAnyVariable() throws {
        let output = try CommandRunner.run(["doctor"], environment: ["OPENBLAS_CORETYPE": nil])
        let best = BLASKernel.candidateCores(cpuFlags: BLASKernel.cpuFlags()).first
        let line = kernelLine(output)
        if let best {
            XCTAssertTrue(line.contains(best), "expected \(best) in: \(line)\n\(output.stdout)\(output.stderr)")
        }
        XCTAssertFalse(line.contains("FAILED"), line)
        XCTAssertTrue(output.stdout.contains("OpenBLAS") && output.stdout.contains("HDF5") && output.stdout.contains("libpng"))
        let inception = output.stdout.split(separator: "\n").first { $0.hasPrefix("Inception-v3") }.map(String.init) ?? ""
        XCTAssertTrue(inception.contains("installed"), "doctor says whether the Inception weights are installed: \(output.stdout)")
    }

    func testDoctorHonoursTheUsersCoreType() throws {
        let output = try CommandRunner.run(["doctor"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertTrue(kernelLine(output).contains("Prescott (chosen by user"), kernelLine(output))
    }
}

final class BenchCommandTests: XCTestCase {
    func testTrainStepReportsRateAndMemory() throws {
        let output = try CommandRunner.run(["bench", "train-step", "--workload", "dcgan", "--iterations", "1"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.hasPrefix("dcgan: ") && output.stdout.contains("it/s") && output.stdout.contains("peak memory"), output.stdout)
        let bad = try CommandRunner.run(["bench", "train-step", "--workload", "gpt"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--workload must be one of: dcgan, biggan, features"), bad.stderr)
        // The JSON line compare.py reads, for the features workload.
        let features = try CommandRunner.run(["bench", "train-step", "--workload", "features", "--iterations", "600", "--json"])
        XCTAssertEqual(features.status, 0, features.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(features.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["unit"] as? String, "images/s", features.stdout)
        XCTAssertGreaterThan(object?["rate"] as? Double ?? 0, 0, features.stdout)
    }
}
