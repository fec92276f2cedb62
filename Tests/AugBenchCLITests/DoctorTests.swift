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
    }

    func testDoctorHonoursTheUsersCoreType() throws {
        let output = try CommandRunner.run(["doctor"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertTrue(kernelLine(output).contains("Prescott (chosen by user"), kernelLine(output))
    }
}
