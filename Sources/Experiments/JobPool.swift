import CProcess
import Foundation
import Results
import TensorCore

/// Runs one grid as several worker processes of this executable at once (`augbench run --jobs N`), each pinned
/// to its share of the CPUs. Workers run the same list of experiments and take each run's lock in turn, so
/// they share the work with no coordinator, exactly like Slurm array tasks; results do not depend on how many
/// worker threads a process has, so they equal a sequential run's.
public struct JobPool {
    /// Set in a worker: the CPUs it is pinned to, e.g. "0" or "2,3".
    public static let cpusVariable = "AUGBENCH_CPUS"

    public let jobs: Int
    /// `augbench run` arguments of a worker (without `--jobs` and `--progress`).
    public let workerArguments: [String]
    public let style: ProgressStyle

    public init(jobs: Int, workerArguments: [String], style: ProgressStyle?) {
        self.jobs = jobs
        self.workerArguments = workerArguments
        self.style = style ?? (isatty(STDOUT_FILENO) != 0 ? .terminal : .plain)
    }

    /// The CPUs of worker `index`: contiguous equal shares of the allowed CPUs (none when there are fewer
    /// CPUs than workers: then each worker gets one thread and the scheduler places it).
    public static func cpus(ofWorker index: Int, workers: Int, allowed: [Int]) -> [Int] {
        guard allowed.count >= workers else { return [] }
        return Array(allowed[(allowed.count * index / workers)..<(allowed.count * (index + 1) / workers)])
    }

    /// Set in a worker: the pid of the `run --jobs` process that started it.
    static let parentVariable = "AUGBENCH_JOBS_PARENT"

    /// In a worker: dies with its parent (so `kill -9` of `run --jobs` stops the whole grid and a rerun
    /// resumes it) and pins itself to its CPUs. Call first in `main`, before any thread starts.
    public static func prepareIfWorker() {
        let environment = ProcessInfo.processInfo.environment
        if let parent = environment[parentVariable].flatMap(Int32.init) {
            augbench_die_with_parent()
            if getppid() != parent { exit(1) }  // the parent died before the request took effect
        }
        let cpus = (environment[cpusVariable] ?? "").split(separator: ",").compactMap { Int($0) }
        if !cpus.isEmpty { Parallel.pin(to: cpus) }
    }

    /// Starts the workers, shows their progress, and returns each worker's exit status.
    public func run() throws -> [Int32] {
        let display = JobDisplay(jobs: jobs, style: style)
        let allowed = Parallel.allowedCPUs()
        var processes: [Process] = []
        let group = DispatchGroup()
        for index in 0..<jobs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = ["run"] + workerArguments + ["--progress", "json", "--jobs", "1"]
            var environment = ProcessInfo.processInfo.environment
            let cpus = Self.cpus(ofWorker: index, workers: jobs, allowed: allowed)
            environment[Self.cpusVariable] = cpus.isEmpty ? nil : cpus.map(String.init).joined(separator: ",")
            environment["AUGBENCH_THREADS"] = cpus.isEmpty ? "1" : nil
            environment[Self.parentVariable] = String(ProcessInfo.processInfo.processIdentifier)
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            processes.append(process)
            group.enter()
            Thread.detachNewThread {
                Self.forEachLine(of: output.fileHandleForReading) { display.show(line: $0, fromWorker: index) }
                group.leave()
            }
        }
        group.wait()
        return processes.map { $0.waitUntilExit(); return $0.terminationStatus }
    }

    static func forEachLine(of handle: FileHandle, _ body: (String) -> Void) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                body(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { body(String(decoding: pending, as: UTF8.self)) }
    }
}

/// The workers' output as one display: a live line per worker on a terminal (messages above them), prefixed
/// lines in a log, or the workers' JSON lines with a "job" field.
final class JobDisplay: @unchecked Sendable {
    let jobs: Int
    let style: ProgressStyle
    private var lines: [String]
    private let lock = NSLock()

    init(jobs: Int, style: ProgressStyle) {
        self.jobs = jobs
        self.style = style
        lines = (0..<jobs).map { "[job \($0 + 1)] starting" }
        if style == .terminal { print(lines.joined(separator: "\n")) }
    }

    func show(line: String, fromWorker index: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            return message("[job \(index + 1)] \(line)")
        }
        switch style {
        case .json:
            var tagged = object
            tagged["job"] = index + 1
            if let data = try? JSONSerialization.data(withJSONObject: tagged, options: [.sortedKeys]) {
                print(String(decoding: data, as: UTF8.self))
            }
        case .plain, .terminal:
            if object["event"] as? String == "progress", let status = ProgressReporter.Status(json: object) {
                lines[index] = "[job \(index + 1)] " + status.line
                if style == .plain { print(lines[index]) } else { redraw() }
            } else if let text = object["text"] as? String {
                message("[job \(index + 1)] \(text)")
            }
        }
    }

    /// A line that stays: above the live lines on a terminal.
    private func message(_ text: String) {
        guard style == .terminal else { return print(text) }
        print("\u{1B}[\(jobs)A\u{1B}[2K" + text)
        print(String(repeating: "\n", count: jobs), terminator: "")
        redraw()
    }

    private func redraw() {
        print("\u{1B}[\(jobs)A", terminator: "")
        for line in lines { print("\u{1B}[2K" + line) }
        fflush(stdout)
    }
}
