import TensorCore
import XCTest

/// The kernel choice on injected machines: what is loaded, the CPU's flags and measured rates.
final class BLASKernelTests: XCTestCase {
    static let skylakeXFlags: Set = ["avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]
    static let zen4Flags = skylakeXFlags.union(["avx512_bf16", "avx512_vnni"])

    func measured(_ requested: String?, loaded: String? = nil, _ rates: [Double], passed: Bool = true) -> KernelMeasurement {
        KernelMeasurement(requested: requested, loaded: loaded ?? requested, selfCheckPassed: passed, gflops: rates)
    }

    func testCandidatesFollowTheInstructionSets() {
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: Self.skylakeXFlags), ["SkylakeX", "Zen", "Haswell", "SandyBridge"])
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: Self.zen4Flags), ["Cooperlake", "SkylakeX", "Zen", "Haswell", "SandyBridge"])
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: ["avx", "avx2", "fma"]), ["Zen", "Haswell", "SandyBridge"])
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: ["sse2"]), [])
        XCTAssertEqual(BLASKernel.candidateCores(cpuFlags: ["fp", "asimd", "sve"]), [], "an ARM server has no x86 kernels")
    }

    func testSkylakeXThatLoadedPrescottTakesTheFastestMeasured() {
        let table = [measured(nil, loaded: "Prescott", [53, 50, 40]), measured("SkylakeX", [283, 250, 173]),
                     measured("Haswell", [200, 180, 150]), measured("SandyBridge", [90, 80, 70])]
        let decision = BLASKernelPolicy.decide(loaded: "Prescott", loadedPassed: true, userCoreType: nil,
                                               cpuFlags: Self.skylakeXFlags, measurements: table)
        guard case .replace(let core, let reason) = decision else { return XCTFail("\(decision)") }
        XCTAssertEqual(core, "SkylakeX")
        XCTAssertTrue(reason.contains("generic Prescott") && reason.contains("SkylakeX measured fastest"), reason)
    }

    func testAGenericKernelWithoutMeasurementsAsksForThem() {
        XCTAssertEqual(BLASKernelPolicy.decide(loaded: "Prescott", loadedPassed: true, userCoreType: nil,
                                               cpuFlags: Self.skylakeXFlags, measurements: nil), .measure)
    }

    /// An AMD EPYC (Zen 4) where OpenBLAS picks Cooperlake: kept, even where SkylakeX is offered and
    /// another kernel measured a little faster (that is advice, not a reason to override OpenBLAS).
    func testEPYCKeepsOpenBLASsCooperlake() {
        let table = [measured(nil, loaded: "Cooperlake", [176, 149, 132]), measured("SkylakeX", [129, 74, 76]),
                     measured("Haswell", [192, 143, 132])]
        let decision = BLASKernelPolicy.decide(loaded: "Cooperlake", loadedPassed: true, userCoreType: nil,
                                               cpuFlags: Self.zen4Flags, measurements: table)
        guard case .keep(let reason) = decision else { return XCTFail("\(decision)") }
        XCTAssertTrue(reason.contains("OpenBLAS's own choice"), reason)
        XCTAssertNil(BLASKernelPolicy.fasterAlternative(running: "Cooperlake", measurements: table), "2% is within noise")
        let slower = [measured(nil, loaded: "Cooperlake", [100, 100, 100]), measured("Haswell", [192, 143, 132])]
        XCTAssertEqual(BLASKernelPolicy.fasterAlternative(running: "Cooperlake", measurements: slower)?.requested, "Haswell")
    }

    func testACPUWithoutAVX512ChoosesAmongItsOwnKernels() {
        let flags: Set = ["avx", "avx2", "fma", "f16c"]
        let table = [measured(nil, loaded: "Prescott", [40, 38, 30]), measured("Zen", [120, 110, 90]),
                     measured("Haswell", [150, 140, 100]), measured("SandyBridge", [80, 70, 60])]
        XCTAssertEqual(BLASKernelPolicy.decide(loaded: "Prescott", loadedPassed: true, userCoreType: nil, cpuFlags: flags,
                                               measurements: table),
                       .replace(core: "Haswell", reason: "OpenBLAS loaded the generic Prescott; Haswell measured fastest of 4 correct kernels here (128 GFLOP/s)"))
    }

    func testAKernelThatFailsTheSelfCheckIsReplacedAndNeverChosen() {
        let table = [measured(nil, loaded: "SkylakeX", [300, 300, 300], passed: false), measured("SkylakeX", [300, 300, 300], passed: false),
                     measured("Haswell", [150, 140, 100])]
        let decision = BLASKernelPolicy.decide(loaded: "SkylakeX", loadedPassed: false, userCoreType: nil,
                                               cpuFlags: Self.skylakeXFlags, measurements: table)
        guard case .replace(let core, let reason) = decision else { return XCTFail("\(decision)") }
        XCTAssertEqual(core, "Haswell")
        XCTAssertTrue(reason.hasPrefix("SkylakeX failed the self-check"), reason)
        let allWrong = [measured("Haswell", [150, 140, 100], passed: false)]
        guard case .keep(let kept) = BLASKernelPolicy.decide(loaded: "SkylakeX", loadedPassed: false, userCoreType: nil,
                                                             cpuFlags: Self.skylakeXFlags, measurements: allWrong) else {
            return XCTFail("nothing correct to switch to")
        }
        XCTAssertTrue(kept.contains("no other kernel measured here computed correct products"), kept)
    }

    func testAUsersCoreTypeIsHonoured() {
        let decision = BLASKernelPolicy.decide(loaded: "Prescott", loadedPassed: true, userCoreType: "Prescott",
                                               cpuFlags: Self.skylakeXFlags, measurements: nil)
        XCTAssertEqual(decision, .keep(reason: "OPENBLAS_CORETYPE=Prescott is set"))
    }

    func testAnARMMachineKeepsWhatItLoaded() {
        for loaded in ["NEOVERSEN1", "ARMV8"] {
            guard case .keep = BLASKernelPolicy.decide(loaded: loaded, loadedPassed: true, userCoreType: nil,
                                                       cpuFlags: ["fp", "asimd"], measurements: nil) else {
                return XCTFail("\(loaded) must be kept: there is nothing else to try")
            }
        }
    }

    /// A core this OpenBLAS build lacks loads another (SapphireRapids → Cooperlake); a probe that died has no rates.
    func testSubstitutedAndCrashedProbesAreNotUsable() {
        XCTAssertFalse(measured("SapphireRapids", loaded: "Cooperlake", [300, 300, 300]).usable)
        XCTAssertTrue(measured("SandyBridge", loaded: "Sandybridge", [90, 80, 70]).usable, "spelling differs only in case")
        let crashed = KernelMeasurement(requested: "Cooperlake", loaded: nil, selfCheckPassed: false, gflops: [],
                                        failure: "probe killed by signal 4")
        XCTAssertFalse(crashed.usable)
        XCTAssertEqual(crashed.score, 0)
        let table = [measured(nil, loaded: "Prescott", [40, 40, 40]), crashed, measured("SapphireRapids", loaded: "Cooperlake", [300, 300, 300])]
        guard case .keep = BLASKernelPolicy.decide(loaded: "Prescott", loadedPassed: true, userCoreType: nil,
                                                   cpuFlags: Self.zen4Flags, measurements: table) else {
            return XCTFail("only Prescott is usable here")
        }
    }

    func testLoadedKernelComputesCorrectProducts() {
        XCTAssertTrue(BLASKernel.selfCheck(), "kernel \(BLASKernel.coreName) failed the sgemm self-check")
        XCTAssertFalse(BLASKernel.coreName.isEmpty)
        XCTAssertFalse(BLASKernel.build.contains(BLASKernel.coreName), "the build key must not depend on the loaded core")
    }

    /// OpenBLAS's own choice is often also a named candidate (Cooperlake on an AMD EPYC): two rows load the
    /// running core, and exactly one, the one that says how it was chosen, is marked as running.
    func testOneRowIsMarkedRunningWhenOpenBLASsOwnChoiceIsAlsoACandidate() {
        let rows = [KernelMeasurement(requested: "Cooperlake", loaded: "Cooperlake", selfCheckPassed: true, gflops: [70, 73]),
                    KernelMeasurement(requested: nil, loaded: "Cooperlake", selfCheckPassed: true, gflops: [75, 70]),
                    KernelMeasurement(requested: "Zen", loaded: "Zen", selfCheckPassed: true, gflops: [84, 74])]
        let table = KernelTable(cpu: "test", openBLAS: "test", flags: [], measuredAt: "now", shapes: ["a", "b"], measurements: rows)
        for ownChoice in [true, false] {
            let marked = KernelTableText.lines(table, running: "Cooperlake", ownChoice: ownChoice).filter { $0.hasSuffix("← running") }
            XCTAssertEqual(marked.count, 1, "\(marked)")
            XCTAssertEqual(marked.first?.hasPrefix("OpenBLAS's own"), ownChoice, "\(marked)")
        }
        let zen = KernelTableText.lines(table, running: "Zen", ownChoice: false).filter { $0.hasSuffix("← running") }
        XCTAssertEqual(zen.count, 1)
        XCTAssertTrue(zen.first?.hasPrefix("Zen") ?? false, "\(zen)")
    }
}
