import Foundation

/// Times BLAS kernels on the products that dominate training, each kernel in a process of its own (the core
/// type is fixed when OpenBLAS loads, and a kernel this CPU cannot run must not take the caller down with it).
public enum BLASKernelProbe {
    /// Products timed per kernel: a square product, a convolution's im2col product and G's linear layer.
    public static let shapes: [(name: String, m: Int, n: Int, k: Int)] = [
        ("1024³", 1024, 1024, 1024), ("conv 128×576·576×16384", 128, 16384, 576), ("linear 64×128·128×4096", 64, 4096, 128),
    ]
    static let probeVariable = "AUGBENCH_BLAS_PROBE"
    static let secondsPerShape = 0.1

    /// In a probe process (started by `measureAll`): print the loaded kernel's measurement as JSON and exit.
    static func runIfAsked() {
        guard ProcessInfo.processInfo.environment[probeVariable] != nil else { return }
        let requested = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        let measurement = measureLoaded(requested: requested)
        if let data = try? JSONEncoder().encode(measurement) { FileHandle.standardOutput.write(data) }
        exit(0)
    }

    /// The loaded kernel: self-check, then the best time of each shape over repeated products (GFLOP/s counts
    /// 2mnk), through the same worker split training uses.
    static func measureLoaded(requested: String?) -> KernelMeasurement {
        let passed = BLASKernel.selfCheck()
        let rates = shapes.map { shape in rate(m: shape.m, n: shape.n, k: shape.k) }
        return KernelMeasurement(requested: requested, loaded: BLASKernel.coreName, selfCheckPassed: passed, gflops: rates)
    }

    static func rate(m: Int, n: Int, k: Int) -> Double {
        var stream = RandomStream(seed: 2, name: "blas-probe")
        let a = stream.uniforms(m * k), b = stream.uniforms(k * n)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity, spent = 0.0, repetitions = 0
        while repetitions < 4 || spent < secondsPerShape {
            let start = DispatchTime.now().uptimeNanoseconds
            c.withUnsafeMutableBufferPointer { GEMM.multiplyAcrossWorkers(m: m, n: n, k: k, a: a, b: b, c: $0.baseAddress!) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if repetitions > 0 { best = min(best, seconds) }  // the first call warms caches and pages
            spent += seconds
            repetitions += 1
        }
        return 2 * Double(m * n * k) / best / 1e9
    }

    /// Every kernel this CPU can run, and OpenBLAS's own choice, measured one process each.
    public static func measureAll(cpuFlags: Set<String> = BLASKernel.cpuFlags()) -> KernelTable {
        let requests: [String?] = [nil] + BLASKernel.candidateCores(cpuFlags: cpuFlags)
        let measurements = requests.map { probe(requested: $0) }
        return KernelTable(cpu: BLASKernel.cpuModel(), openBLAS: BLASKernel.build, flags: cpuFlags.sorted(),
                           measuredAt: ISO8601DateFormatter().string(from: Date()), shapes: shapes.map(\.name),
                           measurements: measurements)
    }

    /// Runs this executable as a probe with `OPENBLAS_CORETYPE` = `requested` (unset for OpenBLAS's own choice).
    static func probe(requested: String?) -> KernelMeasurement {
        func failed(_ why: String) -> KernelMeasurement {
            KernelMeasurement(requested: requested, loaded: nil, selfCheckPassed: false, gflops: [], failure: why)
        }
        var environment = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_CORETYPE", BLASKernel.choiceVariable] { environment[name] = nil }
        environment[probeVariable] = "1"
        environment["OPENBLAS_CORETYPE"] = requested
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return failed("could not start a probe: \(error.localizedDescription)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            return failed(process.terminationReason == .uncaughtSignal ? "probe killed by signal \(process.terminationStatus)"
                                                                        : "probe exited with \(process.terminationStatus)")
        }
        return (try? JSONDecoder().decode(KernelMeasurement.self, from: data)) ?? failed("probe printed no measurement")
    }
}

/// Rates of every kernel on one CPU with one OpenBLAS build: what the choice was made from.
public struct KernelTable: Codable, Equatable, Sendable {
    public let cpu: String
    public let openBLAS: String
    public let flags: [String]
    public let measuredAt: String
    public let shapes: [String]
    public let measurements: [KernelMeasurement]

    public init(cpu: String, openBLAS: String, flags: [String], measuredAt: String, shapes: [String], measurements: [KernelMeasurement]) {
        (self.cpu, self.openBLAS, self.flags, self.measuredAt) = (cpu, openBLAS, flags, measuredAt)
        (self.shapes, self.measurements) = (shapes, measurements)
    }

    /// The same machine and library as now, and the same shapes as this build times.
    public var isCurrent: Bool {
        cpu == BLASKernel.cpuModel() && openBLAS == BLASKernel.build && Set(flags) == BLASKernel.cpuFlags()
            && shapes == BLASKernelProbe.shapes.map(\.name)
    }
}

/// The measured table, kept per CPU model and OpenBLAS build in `$AUGBENCH_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/augbench`, else `~/.cache/augbench`, so later start-ups measure nothing.
public enum KernelTableCache {
    public static var file: URL? {
        let environment = ProcessInfo.processInfo.environment
        let folder = environment["AUGBENCH_CACHE_DIR"].map { URL(fileURLWithPath: $0) }
            ?? environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent("augbench") }
            ?? environment["HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent(".cache/augbench") }
        let key = BLASKernel.cpuModel() + "|" + BLASKernel.build
        return folder?.appendingPathComponent("blas-kernels-\(String(fnv1a(key), radix: 16)).json")
    }

    /// The cached table when it was measured on this CPU with this OpenBLAS; nil otherwise or when unreadable.
    public static func read() -> KernelTable? {
        guard let file, let data = try? Data(contentsOf: file),
              let table = try? JSONDecoder().decode(KernelTable.self, from: data), table.isCurrent else { return nil }
        return table
    }

    /// Writes the table atomically (temporary file, then rename); a cache that cannot be written is skipped.
    public static func write(_ table: KernelTable) {
        guard let file else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(table) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
