import CZlib
import Foundation

enum FileReading {
    /// The whole content of a file, gunzipped when it is gzip (zlib reads plain files unchanged).
    static func contents(_ path: String, hint: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(file: path, "not found", hint: hint)
        }
        guard let file = gzopen(path, "rb") else { throw DataError(file: path, "cannot open", hint: hint) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw DataError(file: path, "corrupt or truncated (\(message))", hint: hint)
            }
            if read == 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(read)])
        }
        return bytes
    }

    /// A big-endian 32-bit integer at `offset`.
    static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> Int {
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }
}
