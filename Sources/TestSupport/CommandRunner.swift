import Foundation

/// Runs the built `augbench` executable (it sits beside the test bundle in .build/<config>/).
public struct CommandRunner {
    public struct Output {
        /// The exit status, or the signal's number when `signalled`.
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// Ended by a signal (a trap, a crash, or the timeout's kill).
        public var signalled = false
        /// Killed because it ran past the timeout.
        public var timedOut = false
    }

    public static var executable: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        while folder.pathComponents.count > 1 {
            let candidate = folder.appendingPathComponent("augbench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "augbench")
    }

    /// Runs `augbench arguments` to its end (or, with a `timeout` in seconds, kills it with SIGKILL then).
    public static func run(_ arguments: [String], environment: [String: String?] = [:], timeout: Double? = nil) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("AUGBENCH_BLAS") { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let captured = CapturedOutput()
        let readers = DispatchGroup()
        for (pipe, index) in [(out, 0), (err, 1)] {
            readers.enter()
            Thread.detachNewThread {
                captured.set(index, pipe.fileHandleForReading.readDataToEndOfFile())
                readers.leave()
            }
        }
        var timedOut = false
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        readers.wait()
        let (stdout, stderr) = (captured.get(0), captured.get(1))
        var output = Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                            stderr: String(decoding: stderr, as: UTF8.self))
        output.signalled = process.terminationReason == .uncaughtSignal
        output.timedOut = timedOut
        return output
    }
}

/// What the two reader threads of `CommandRunner.run` read (stdout at 0, stderr at 1), behind a lock.
private final class CapturedOutput: @unchecked Sendable {
    private var streams = [Data(), Data()]
    private let lock = NSLock()

    func set(_ index: Int, _ data: Data) { lock.withLock { streams[index] = data } }
    func get(_ index: Int) -> Data { lock.withLock { streams[index] } }
}
