import COpenBLAS
import Foundation

/// What OpenBLAS is running on this CPU, and the facts a choice of kernel is made from.
///
/// The core type (OpenBLAS's set of kernels for one CPU family) is fixed when the library loads; the only
/// way to change it is `OPENBLAS_CORETYPE` in the environment of a new process. Debian's OpenBLAS 0.3.21
/// falls back to generic kernels on CPUs it does not recognise, and which replacement is fastest differs
/// from CPU to CPU, so a replacement is chosen by measuring (`BLASKernelPolicy`, `BLASKernelProbe`).
public enum BLASKernel {
    /// The kernel OpenBLAS loaded, e.g. "SkylakeX" or "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// OpenBLAS's build description (version, DYNAMIC_ARCH, threading).
    public static var configuration: String { String(cString: openblas_get_config()) }
    /// The build description without the loaded core's name: the same for every kernel of one library.
    public static var build: String {
        configuration.split(separator: " ").filter { !sameCore(String($0), coreName) }.joined(separator: " ")
    }
    /// The version number in the build description, e.g. "0.3.21".
    public static var version: String {
        configuration.split(separator: " ").first { $0.first?.isNumber == true }.map(String.init) ?? "unknown"
    }
    /// Threads the kernels run on: TensorCore's workers, each calling OpenBLAS single-threaded (`BLASThreads`).
    public static var threadCount: Int { Parallel.workerCount }

    /// Cores OpenBLAS picks when it does not recognise the CPU (compared case-insensitively).
    public static let genericCores: Set<String> = ["prescott", "core2", "nehalem", "katmai", "coppermine",
                                                    "northwood", "banias", "atom", "penryn", "dunnington"]

    public static func isGeneric(_ core: String) -> Bool { genericCores.contains(core.lowercased()) }

    /// Two spellings of one core type ("SandyBridge" is loaded as "Sandybridge").
    public static func sameCore(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    static let avx512: Set<String> = ["avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]

    /// x86-64 core types worth measuring and the instruction sets (names as in /proc/cpuinfo) each needs.
    /// No order of preference: which is fastest is measured, not assumed.
    public static let x86Cores: [(name: String, needs: Set<String>)] = [
        ("SapphireRapids", avx512.union(["avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16"])),
        ("Cooperlake", avx512.union(["avx512_bf16"])),
        ("SkylakeX", avx512),
        ("Zen", ["avx2", "fma"]),
        ("Haswell", ["avx2", "fma"]),
        ("SandyBridge", ["avx"]),
    ]

    /// The core types this CPU can run (empty on a CPU with no x86 flags, e.g. an ARM server).
    public static func candidateCores(cpuFlags: Set<String>) -> [String] {
        x86Cores.filter { cpuFlags.isSuperset(of: $0.needs) }.map(\.name)
    }

    /// Instruction-set flags of the first CPU in /proc/cpuinfo (empty where there is none).
    public static func cpuFlags() -> Set<String> {
        Set((cpuInfoField("flags") ?? cpuInfoField("Features") ?? "").split(separator: " ").map(String.init))
    }

    /// The CPU model name from /proc/cpuinfo.
    public static func cpuModel() -> String {
        cpuInfoField("model name") ?? cpuInfoField("CPU part").map { "CPU part \($0)" } ?? "unknown"
    }

    private static func cpuInfoField(_ name: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let colon = line.firstIndex(of: ":") else { return nil }
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
