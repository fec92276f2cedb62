import Foundation
import Results

/// A lock per run: an exclusive `flock` on the file `lock` in the run folder, so two workers (processes of
/// `run --jobs`, Slurm array tasks on a shared filesystem) never train the same run. The kernel drops the
/// lock when its holder dies, however it dies, so no stale lock outlives a killed process or a restarted
/// container. The file holds "host pid" of the holder, for messages only.
public final class RunLock {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock, or returns nil when another live process (or another open lock in this one) holds it.
    public static func acquire(_ path: String) -> RunLock? {
        for _ in 0..<3 {
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return nil }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                return nil
            }
            // A holder may have unlinked the file between our open and flock: then we locked an orphan; retry.
            var opened = stat(), named = stat()
            guard fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino, opened.st_dev == named.st_dev else {
                close(fd)
                continue
            }
            let text = "\(ProcessInfo.processInfo.hostName) \(ProcessInfo.processInfo.processIdentifier)\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            return RunLock(path: path, descriptor: fd)
        }
        return nil
    }

    /// Whether the lock at `path` is held by another worker of the same `run --jobs` as this process: only
    /// when this process is such a worker, and the holder runs on this host with the same parent.
    public static func heldBySiblingJob(_ path: String) -> Bool {
        guard let parent = ProcessInfo.processInfo.environment[JobPool.parentVariable].flatMap(Int32.init) else { return false }
        guard let holder = recordedHolder(path), holder.host == ProcessInfo.processInfo.hostName,
              let pid = Int32(holder.pid) else { return false }
        return parentPID(of: pid) == parent
    }

    /// The parent of process `pid` from /proc/<pid>/stat ("pid (name) state ppid …"; the name may hold spaces
    /// and parentheses, so fields are read after the last ")"); nil where it cannot be read.
    public static func parentPID(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Who wrote the lock file ("host pid"), for the message of a skipped run.
    public static func holder(of path: String) -> String {
        recordedHolder(path).map { "process \($0.pid) on host \($0.host)" } ?? "an unknown process"
    }

    /// The "host pid" that `acquire` wrote into the lock file, nil where the file holds anything else.
    private static func recordedHolder(_ path: String) -> (host: Substring, pid: Substring)? {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let parts = text.split(separator: " ")
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// Removes the file while still holding the lock, then drops the lock.
    public func release() {
        unlink(path)
        close(descriptor)
    }
}
