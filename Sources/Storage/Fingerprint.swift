import Foundation

/// A 128-bit content hash (two independent 64-bit multiply–xorshift lanes over 8-byte words), printed
/// as 32 hex digits. Not cryptographic: it identifies content for provenance and caches.
public enum Fingerprint {
    public static func of(bytes: [UInt8], labels: [Int]?, shape: [Int]) -> String {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15, b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        func mix(_ word: UInt64) {
            a = (a ^ word) &* 0xBF58_476D_1CE4_E5B9; a ^= a >> 31
            b = (b ^ (word &+ 0x632B_E59B_D9B4_E019)) &* 0x94D0_49BB_1331_11EB; b ^= b >> 29
        }
        for dimension in shape { mix(UInt64(dimension)) }
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words { mix(raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
            var tail: UInt64 = 0
            for i in (words * 8)..<raw.count { tail = tail << 8 | UInt64(raw[i]) }
            mix(tail ^ UInt64(raw.count))
        }
        for label in labels ?? [] { mix(UInt64(bitPattern: Int64(label))) }
        return String(format: "%016llx%016llx", a, b)
    }
}
