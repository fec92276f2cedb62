import Foundation
import Storage
import Metrics

/// One evaluation of a run: a line of metrics.jsonl.
public struct MetricsLine: Codable, Equatable, Sendable {
    public var iteration: Int
    public var fid: Double
    public var isMean: Double
    public var isStd: Double
    public var kidMean: Double
    public var kidStd: Double
    /// Share of training reals / held-out reals that D scores above 0.
    public var dAccuracyTrain: Double
    public var dAccuracyHeldOut: Double
    /// The adaptive strategy's p (0 for the others).
    public var adaP: Double
    public var lossD: Double
    public var lossG: Double
    /// Wall-clock seconds of training so far (not part of a run's deterministic result).
    public var seconds: Double

    public init(iteration: Int, fid: Double, isMean: Double, isStd: Double, kidMean: Double, kidStd: Double, dAccuracyTrain: Double,
                dAccuracyHeldOut: Double, adaP: Double, lossD: Double, lossG: Double, seconds: Double) {
        self.iteration = iteration; self.fid = fid; self.isMean = isMean; self.isStd = isStd; self.kidMean = kidMean
        self.kidStd = kidStd; self.dAccuracyTrain = dAccuracyTrain; self.dAccuracyHeldOut = dAccuracyHeldOut; self.adaP = adaP
        self.lossD = lossD; self.lossG = lossG; self.seconds = seconds
    }

    /// The deterministic part (everything but time), for comparing a resumed run with an uninterrupted one.
    public var withoutTiming: MetricsLine { var copy = self; copy.seconds = 0; return copy }
}

/// result.json: how a run ended, its final and best-FID evaluations and their protocol.
public struct RunResult: Codable, Sendable {
    public var id: String
    public var grid: String
    public var label: String
    /// Axis path → value, as strings.
    public var axes: [String: String]
    /// "finished" or "failed".
    public var status: String
    public var reason: String?
    public var iterations: Int
    public var final: MetricsLine?
    public var best: MetricsLine?
    public var metricProtocol: MetricProtocol?
    public var datasetFingerprint: String
    public var subsetIdentity: String
    public var seconds: Double
    /// Where the wall time went (absent in results written before it was measured).
    public var timeSplit: TimeSplit?
    /// The final and best generators under `evaluation.final_extractor`, when the config asks for it.
    public var finalScores: FinalScores?
    /// Precision/recall, memorisation and leakage of the final generator, when `evaluation.explain` asks for them.
    public var explanations: Explanations?

    public init(id: String, grid: String, label: String, axes: [String: String], status: String, reason: String?, iterations: Int,
                final: MetricsLine?, best: MetricsLine?, metricProtocol: MetricProtocol?, datasetFingerprint: String,
                subsetIdentity: String, seconds: Double) {
        self.id = id; self.grid = grid; self.label = label; self.axes = axes; self.status = status; self.reason = reason
        self.iterations = iterations; self.final = final; self.best = best; self.metricProtocol = metricProtocol
        self.datasetFingerprint = datasetFingerprint; self.subsetIdentity = subsetIdentity; self.seconds = seconds
    }
}

/// Where and on what a run ran: the session that trained it last, with the sessions before it when it was
/// resumed from a checkpoint (another build, CPU or host may have trained its first iterations).
public struct Provenance: Codable, Sendable {
    /// HEAD of the working tree the run started in (the executable may have been built from another commit:
    /// `executable` identifies the build itself).
    public var gitCommit: String
    public var gitDirty: Bool
    public var swiftVersion: String
    public var openBLAS: String
    public var blasKernel: String
    public var blasThreads: Int
    public var cpu: String
    public var cores: Int
    public var host: String
    public var started: String
    /// `Fingerprint` of the running executable's bytes (nil in records written before it was kept).
    public var executable: String?
    /// The sessions that trained the run before this one, oldest first (nil for a run trained in one session).
    public var earlierSessions: [Provenance]?

    /// Keys as the records' snake_case strategy maps them: "open_blas" comes back as "openBlas", which a
    /// synthesised key for `openBLAS` would not match (every provenance.json was unreadable before).
    enum CodingKeys: String, CodingKey {
        case gitCommit, gitDirty, swiftVersion, openBLAS = "openBlas", blasKernel, blasThreads, cpu, cores, host, started
        case executable, earlierSessions
    }

    public init(gitCommit: String, gitDirty: Bool, swiftVersion: String, openBLAS: String, blasKernel: String, blasThreads: Int, cpu: String,
                cores: Int, host: String, started: String, executable: String? = nil) {
        self.executable = executable
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.swiftVersion = swiftVersion
        self.openBLAS = openBLAS
        self.blasKernel = blasKernel
        self.blasThreads = blasThreads
        self.cpu = cpu
        self.cores = cores
        self.host = host
        self.started = started
    }

    /// This session's record followed by the sessions of `earlier`, which this one resumes.
    public func resuming(_ earlier: Provenance) -> Provenance {
        var record = self, previous = earlier
        previous.earlierSessions = nil
        record.earlierSessions = (earlier.earlierSessions ?? []) + [previous]
        return record
    }
}

/// The files of one run under results/runs/<id>/, each written atomically.
public struct RunDirectory {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    static let encoder = JSONCoding.encoder()
    static let lineEncoder = JSONCoding.encoder(pretty: false)
    static let decoder = JSONCoding.decoder()

    public func write<T: Encodable>(_ value: T, to name: String) throws {
        try AtomicFile.write(try RunDirectory.encoder.encode(value), to: path(name))
    }

    public func read<T: Decodable>(_ type: T.Type, from name: String) -> T? {
        FileManager.default.contents(atPath: path(name)).flatMap { try? RunDirectory.decoder.decode(type, from: $0) }
    }

    public var result: RunResult? { read(RunResult.self, from: "result.json") }

    /// Deletes temporary files (`AtomicFile`'s ".<name>.tmp-…") in the folder and its samples/ folder.
    public func removeTemporaryFiles() {
        for folder in [url, url.appendingPathComponent("samples")] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }

    /// result.json: absent, present but unreadable (with the decoder's reason), or read.
    public enum ResultFile {
        case absent
        case unreadable(String)
        case read(RunResult)
    }

    public func readResult() -> ResultFile {
        guard let data = FileManager.default.contents(atPath: path("result.json")) else { return .absent }
        do { return .read(try RunDirectory.decoder.decode(RunResult.self, from: data)) } catch {
            return .unreadable(data.isEmpty ? "the file is empty" : "not a result record: \(DecodingDescription.describe(error))")
        }
    }

    /// Rewrites metrics.jsonl with these lines (small; rewriting keeps it whole if the process dies).
    public func writeMetrics(_ lines: [MetricsLine]) throws {
        let text = try lines.map { String(decoding: try RunDirectory.lineEncoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
        try AtomicFile.write(Data((text + (lines.isEmpty ? "" : "\n")).utf8), to: path("metrics.jsonl"))
    }

    public func readMetrics() -> [MetricsLine] {
        guard let text = try? String(contentsOfFile: path("metrics.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? RunDirectory.decoder.decode(MetricsLine.self, from: Data($0.utf8)) }
    }
}
