import Foundation

/// One kernel timed in a process of its own on the products that dominate training.
public struct KernelMeasurement: Codable, Equatable, Sendable {
    /// The `OPENBLAS_CORETYPE` the probe ran with; `nil` for OpenBLAS's own choice.
    public let requested: String?
    /// What OpenBLAS loaded (differs from `requested` when this build of OpenBLAS lacks that core); nil if
    /// the probe died before it could say (for example on an illegal instruction).
    public let loaded: String?
    public let selfCheckPassed: Bool
    /// GFLOP/s per shape of `BLASKernelProbe.shapes`, in that order (empty when the probe failed).
    public let gflops: [Double]
    /// Why the probe gave no rates, if it did not.
    public let failure: String?

    public init(requested: String?, loaded: String?, selfCheckPassed: Bool, gflops: [Double], failure: String? = nil) {
        self.requested = requested
        self.loaded = loaded
        self.selfCheckPassed = selfCheckPassed
        self.gflops = gflops
        self.failure = failure
    }

    /// Geometric mean of the rates: one number per kernel, in GFLOP/s.
    public var score: Double {
        guard !gflops.isEmpty, gflops.allSatisfy({ $0 > 0 }) else { return 0 }
        return exp(gflops.map { log($0) }.reduce(0, +) / Double(gflops.count))
    }

    /// A kernel that may be used: it ran the core asked for (or OpenBLAS's own), computed correct products
    /// and produced rates.
    public var usable: Bool {
        guard selfCheckPassed, failure == nil, score > 0, let loaded else { return false }
        return requested.map { BLASKernel.sameCore($0, loaded) } ?? true
    }
}

/// What to do about the kernel OpenBLAS loaded.
public enum KernelDecision: Equatable, Sendable {
    /// Run with what is loaded.
    case keep(reason: String)
    /// A replacement is needed and there are no measurements to choose it from.
    case measure
    /// Restart with `OPENBLAS_CORETYPE` set to this core.
    case replace(core: String, reason: String)
}

/// The choice of BLAS kernel as a pure function of what is loaded, the CPU and measured rates:
/// keep OpenBLAS's own choice unless it is generic or computes wrong products; then take the fastest
/// correct kernel measured on this machine. A user's `OPENBLAS_CORETYPE` is always honoured.
public enum BLASKernelPolicy {
    public static func decide(loaded: String, loadedPassed: Bool, userCoreType: String?, cpuFlags: Set<String>,
                              measurements: [KernelMeasurement]?) -> KernelDecision {
        if let userCoreType { return .keep(reason: "OPENBLAS_CORETYPE=\(userCoreType) is set") }
        let generic = BLASKernel.isGeneric(loaded)
        if !generic && loadedPassed { return .keep(reason: "OpenBLAS's own choice for this CPU (not generic; passed the self-check)") }
        let problem = loadedPassed ? "OpenBLAS loaded the generic \(loaded)" : "\(loaded) failed the self-check"
        if BLASKernel.candidateCores(cpuFlags: cpuFlags).isEmpty {
            return .keep(reason: "\(problem), and this CPU offers no other kernel to try")
        }
        guard let measurements else { return .measure }
        let usable = measurements.filter(\.usable)
        guard let best = usable.max(by: { $0.score < $1.score }), let core = best.loaded else {
            return .keep(reason: "\(problem), and no other kernel measured here computed correct products")
        }
        let rate = String(format: "%.0f GFLOP/s", best.score)
        if BLASKernel.sameCore(core, loaded) {
            return .keep(reason: "\(problem), but it measured fastest here (\(rate))")
        }
        return .replace(core: best.requested ?? core,
                        reason: "\(problem); \(core) measured fastest of \(usable.count) correct kernels here (\(rate))")
    }

    /// A measured kernel at least `margin` faster than the running one (a hint; the running one is kept).
    public static func fasterAlternative(running: String, measurements: [KernelMeasurement], margin: Double = 0.10)
        -> KernelMeasurement? {
        let usable = measurements.filter(\.usable)
        guard let current = usable.first(where: { $0.loaded.map { BLASKernel.sameCore($0, running) } ?? false }),
              let best = usable.max(by: { $0.score < $1.score }),
              best.score > current.score * (1 + margin) else { return nil }
        return best
    }
}
