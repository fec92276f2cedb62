import Foundation
import Results
import Storage
import TensorCore

enum ProvenanceProbe {
    static func current(kernel: KernelChoice) -> Provenance {
        let commit = git(["rev-parse", "HEAD"]) ?? "unknown"
        let dirty = !(git(["status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty
        return Provenance(gitCommit: commit, gitDirty: dirty, swiftVersion: Toolchain.swiftVersion, openBLAS: BLASKernel.version,
                          blasKernel: kernel.summary, blasThreads: BLASKernel.threadCount, cpu: BLASKernel.cpuModel(),
                          cores: Parallel.workerCount, host: ProcessInfo.processInfo.hostName,
                          started: ISO8601DateFormatter().string(from: Date()), executable: executable)
    }

    /// Fingerprint of this process's executable (/proc/self/exe), computed once; nil where it cannot be read.
    static let executable: String? = {
        guard let data = FileManager.default.contents(atPath: "/proc/self/exe") else { return nil }
        return Fingerprint.of(bytes: [UInt8](data), labels: nil, shape: [data.count])
    }()

    static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
