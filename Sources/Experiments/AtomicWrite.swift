import Foundation
import Storage

/// Experiments' file writes all go through Storage's temporary-then-rename writer.
enum AtomicWrite {
    static func data(_ data: Data, to path: String) throws { try AtomicFile.write(data, to: path) }
}
