import Experiments
import Foundation
import TensorCore
import TestSupport
import XCTest

final class DoctorTests: XCTestCase {
    private func kernelLine(_ output: CommandRunner.Output) -> String {
        output.stdout.split(separator: "\n").first { $0.hasPrefix("BLAS kernel") }.map(String.init) ?? ""
    }

    /// What holds on any CPU: a correct kernel runs, it is not a generic one where a non-generic kernel measured
    /// correct, the measured table is shown and cached, and advice never makes doctor fail.
    func testDoctorRunsACorrectMeasuredKernelWithoutAnyVariable() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("augbench-doctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["OPENBLAS_CORETYPE": nil, "AUGBENCH_CACHE_DIR": cache.path]
        let output = try CommandRunner.run(["doctor"], environment: environment)
        let line = kernelLine(output)
        XCTAssertFalse(line.contains("FAILED"), line)
        let rows = output.stdout.split(separator: "\n").map(String.init)
        let measuredRows = rows.filter { $0.contains("correct") && !$0.contains("WRONG") }
        XCTAssertEqual(rows.filter { $0.hasSuffix("correct ← running") }.count, 1, "one table row is the running kernel:\n\(output.stdout)")
        let nonGenericMeasured = measuredRows.contains { row in !BLASKernel.genericCores.contains { row.lowercased().contains($0) } }
        if nonGenericMeasured {
            XCTAssertFalse(BLASKernel.genericCores.contains { line.lowercased().contains("\($0) (") }, "generic kernel runs: \(line)")
        }
        XCTAssertTrue(output.stdout.contains("Kernel rates  GFLOP/s, measured"), output.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasPrefix("blas-kernels-") }.count, 1)
        let problems = output.stdout.components(separatedBy: "\nProblems:").dropFirst().first ?? ""
        XCTAssertEqual(output.status, problems.isEmpty ? 0 : 1, output.stdout)
        XCTAssertFalse(problems.contains("kernel"), "no kernel problem on a machine with a correct kernel: \(problems)")
        XCTAssertTrue(output.stdout.contains("OpenBLAS") && output.stdout.contains("HDF5") && output.stdout.contains("libpng"))
        let inception = rows.first { $0.hasPrefix("Inception-v3") } ?? ""
        let installed = FileManager.default.fileExists(atPath: "weights/inception-v3-fid.h5")
        XCTAssertTrue(inception.contains(installed ? "installed: " : "not installed (optional)"), inception)
        let again = try CommandRunner.run(["doctor"], environment: environment)
        XCTAssertTrue(again.stdout.contains("GFLOP/s, measured 20"), "the second start-up reads the cached table:\n\(again.stdout)")
        XCTAssertEqual(kernelLine(again), line)
    }

    /// `--kernel-environment` names the running kernel exactly when OpenBLAS's own choice was replaced.
    func testKernelEnvironmentNamesTheReplacedKernel() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("augbench-doctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["OPENBLAS_CORETYPE": nil, "AUGBENCH_CACHE_DIR": cache.path]
        let line = kernelLine(try CommandRunner.run(["doctor"], environment: environment))
        let printed = try CommandRunner.run(["doctor", "--kernel-environment"], environment: environment)
        XCTAssertEqual(printed.status, 0, printed.stderr)
        if line.contains("(chosen by augbench") {
            let core = printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(core.hasPrefix("OPENBLAS_CORETYPE=") && line.contains(String(core.dropFirst("OPENBLAS_CORETYPE=".count))), "\(core) vs \(line)")
        } else {
            XCTAssertEqual(printed.stdout, "", "OpenBLAS's own kernel kept: \(line)")
        }
        let user = try CommandRunner.run(["doctor", "--kernel-environment"], environment: ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(user.stdout, "OPENBLAS_CORETYPE=Haswell\n")
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
        XCTAssertTrue(bad.stderr.contains("--workload must be one of: dcgan, cpu, biggan, features"), bad.stderr)
        // The JSON line compare.py reads, for the features workload.
        let features = try CommandRunner.run(["bench", "train-step", "--workload", "features", "--iterations", "600", "--json"])
        XCTAssertEqual(features.status, 0, features.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(features.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["unit"] as? String, "images/s", features.stdout)
        XCTAssertGreaterThan(object?["rate"] as? Double ?? 0, 0, features.stdout)
    }

    /// The inception workload without installed weights stops with the file and the script that installs them.
    func testInceptionWorkloadNamesMissingWeights() throws {
        XCTAssertThrowsError(try TrainStepBenchmark.inception(images: 1, weightsPath: "/nonexistent/inception-v3-fid.h5")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("/nonexistent/inception-v3-fid.h5") && text.contains("scripts/install-inception-weights"), text)
        }
    }
}
