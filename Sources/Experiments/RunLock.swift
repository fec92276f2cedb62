import Foundation

/// A lock file per run (`lock` holding "host pid"), created exclusively, so two workers sharing a
/// filesystem never train the same run. A lock left by a dead process on this host is taken over.
public struct RunLock {
    public let path: String

    /// Takes the lock, or returns nil when another live process holds it.
    public static func acquire(_ path: String) -> RunLock? {
        let host = ProcessInfo.processInfo.hostName, pid = ProcessInfo.processInfo.processIdentifier
        for _ in 0..<2 {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
            if fd >= 0 {
                let text = "\(host) \(pid)\n"
                _ = text.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                return RunLock(path: path)
            }
            guard let holder = try? String(contentsOfFile: path, encoding: .utf8).split(separator: " "), holder.count == 2,
                  String(holder[0]) == host, let other = Int32(holder[1].trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(other, 0) != 0 else { return nil }
            unlink(path)  // stale: its process is gone
        }
        return nil
    }

    public func release() { unlink(path) }
}
