import TensorCore
import XCTest

final class BLASKernelTests: XCTestCase {
    func testCandidateCoresBestFirst() {
        let skylake: Set = ["avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: skylake), ["SkylakeX", "Haswell", "SandyBridge"])
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: ["avx", "avx2", "fma"]), ["Haswell", "SandyBridge"])
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: ["sse2"]), [])
    }

    func testLoadedKernelComputesCorrectProducts() {
        XCTAssertTrue(BLASKernel.selfCheck(), "kernel \(BLASKernel.coreName) failed the sgemm self-check")
        XCTAssertFalse(BLASKernel.coreName.isEmpty)
    }
}
