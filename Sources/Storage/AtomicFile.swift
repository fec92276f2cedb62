import Foundation

/// Writes files under a temporary name in the same folder and renames them into place, so a killed
/// process never leaves a half-written file where a complete one is expected.
public enum AtomicFile {
    /// A temporary path beside `path` (same filesystem, so the rename is atomic).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = "." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Runs `write(temporaryPath)`, then renames the result to `path`; on failure the temporary is removed.
    public static func write(to path: String, _ write: (String) throws -> Void) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = temporaryPath(for: path)
        do {
            try write(temporary)
            guard rename(temporary, path) == 0 else {
                throw StorageError(file: path, "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Atomically writes `data`.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { temporary in
            do { try data.write(to: URL(fileURLWithPath: temporary)) } catch let error as NSError {
                let reason = (error.userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))).lowercased() }
                throw StorageError(file: path, "cannot write: " + (reason ?? error.localizedDescription))
            }
        }
    }

    /// Creates an HDF5 file atomically: `body` fills it, and it appears at `path` only when complete.
    public static func writeHDF5(to path: String, _ body: (HDF5File) throws -> Void) throws {
        try write(to: path) { temporary in
            let file = try HDF5File(path: temporary, mode: .create)
            try body(file)
            try file.closeAfterWriting()
        }
    }
}
