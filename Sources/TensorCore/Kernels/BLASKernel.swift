import COpenBLAS
import Foundation

/// What OpenBLAS is running and how AugBench chose it.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its generic "Prescott"
/// kernels (~5× slower sgemm). The core type is fixed when the library loads, so the only way to change
/// it is to set `OPENBLAS_CORETYPE` and re-execute the process before any work is done.
public enum BLASKernel {
    /// The kernel OpenBLAS loaded, e.g. "SkylakeX" or "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// OpenBLAS's build description (version, DYNAMIC_ARCH, threading).
    public static var configuration: String { String(cString: openblas_get_config()) }
    /// The version number in the build description, e.g. "0.3.21".
    public static var version: String {
        configuration.split(separator: " ").first { $0.first?.isNumber == true }.map(String.init) ?? "unknown"
    }
    /// Threads the kernels run on: TensorCore's workers, each calling OpenBLAS single-threaded (`BLASThreads`).
    public static var threadCount: Int { Parallel.workerCount }

    /// Cores OpenBLAS picks when it does not recognise the CPU; worth replacing when the CPU can do more.
    public static let genericCores: Set<String> = ["Prescott", "Core2", "Nehalem", "Katmai", "Coppermine",
                                                    "Northwood", "Banias", "Atom", "Penryn", "Dunnington"]

    /// Core types to try, best first, for the instruction sets in `cpuFlags` (names as /proc/cpuinfo).
    public static func candidateCores(cpuFlags: Set<String>) -> [String] {
        var cores: [String] = []
        if cpuFlags.isSuperset(of: ["avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]) {
            cores.append("SkylakeX")
        }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { cores.append("Haswell") }
        if cpuFlags.contains("avx") { cores.append("SandyBridge") }
        return cores
    }

    /// Instruction-set flags of the first CPU in /proc/cpuinfo (empty where there is none).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The CPU model name from /proc/cpuinfo.
    public static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// Checks the loaded kernel on a product with ragged edges against a Float64 reference:
    /// a kernel that computes wrong results on this CPU must not be used.
    public static func selfCheck() -> Bool {
        let (m, n, k) = (67, 129, 95)
        var stream = RandomStream(seed: 1, name: "blas-self-check")
        let a = stream.uniforms(m * k).map { $0 - 0.5 }, b = stream.uniforms(k * n).map { $0 - 0.5 }
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
        } } }
        for row in 0..<m {
            for column in 0..<n {
                var exact = 0.0
                for index in 0..<k { exact += Double(a[row * k + index]) * Double(b[index * n + column]) }
                if abs(exact - Double(c[row * n + column])) > 1e-4 { return false }
            }
        }
        return true
    }
}

// MARK: - Choosing the kernel at start-up

/// How the running kernel was decided; printed with every run's provenance.
public struct KernelChoice: Codable, Equatable, Sendable {
    public let coreName: String
    /// "user" (OPENBLAS_CORETYPE was set), "augbench" (chosen from the CPU flags) or "openblas" (its own).
    public let chosenBy: String
    public let openBLASDefault: String?
    public let selfCheckPassed: Bool

    public var summary: String {
        var text = "\(coreName) (chosen by \(chosenBy)"
        if let openBLASDefault, openBLASDefault != coreName { text += "; OpenBLAS alone picks \(openBLASDefault)" }
        return text + (selfCheckPassed ? ")" : "; SELF-CHECK FAILED)")
    }
}

extension BLASKernel {
    static let triedVariable = "AUGBENCH_BLAS_TRIED"
    static let defaultVariable = "AUGBENCH_BLAS_DEFAULT"

    /// Makes this process run the best correct kernel, re-executing it with `OPENBLAS_CORETYPE` set
    /// when OpenBLAS loaded a generic one. A user-set `OPENBLAS_CORETYPE` is always honoured.
    /// Returns only in the process that will do the work.
    public static func ensureBestKernel() -> KernelChoice {
        Allocator.configureForTensors()
        let environment = ProcessInfo.processInfo.environment
        let tried = environment[triedVariable].map { $0.split(separator: ",").map(String.init) } ?? []
        if environment["OPENBLAS_CORETYPE"] != nil && tried.isEmpty {
            return KernelChoice(coreName: coreName, chosenBy: "user", openBLASDefault: nil, selfCheckPassed: selfCheck())
        }
        let passed = selfCheck()
        let openBLASDefault = environment[defaultVariable] ?? coreName
        let choice = KernelChoice(coreName: coreName, chosenBy: tried.isEmpty ? "openblas" : "augbench",
                                  openBLASDefault: openBLASDefault, selfCheckPassed: passed)
        let needsAnother = tried.isEmpty ? (genericCores.contains(coreName) || !passed) : !passed
        let candidates = candidateCores(cpuFlags: cpuFlags()) + (tried.isEmpty ? [] : [openBLASDefault])
        guard needsAnother, let next = candidates.first(where: { !tried.contains($0) && $0 != coreName }) else {
            return choice
        }
        setenv("OPENBLAS_CORETYPE", next, 1)
        setenv(triedVariable, (tried + [next]).joined(separator: ","), 1)
        setenv(defaultVariable, openBLASDefault, 1)
        reexecute()
        return choice  // exec failed: carry on with what is loaded
    }

    private static func reexecute() {
        let arguments = CommandLine.arguments
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cArguments)
    }
}
