import Foundation

/// The machine's per-core L2 cache, which the 3×3 Winograd convolution sizes its chunks from.
public enum CacheSize {
    /// Bytes of one core's L2 cache as the C library reports it (sysconf), else as Linux's sysfs does
    /// (`/sys/devices/system/cpu/cpu0/cache/index2/size`, e.g. "1024K"), else 1 MiB.
    public static let level2Bytes: Int = {
        let reported = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        if reported > 0 { return reported }
        return sysfsLevel2Bytes() ?? 1 << 20
    }()

    /// "1024K" → 1,048,576; "2M" → 2,097,152; nil when the file is missing or unreadable.
    static func sysfsLevel2Bytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cache/index2/size", encoding: .utf8)
        else { return nil }
        return parseSize(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A sysfs cache size: digits with an optional K or M suffix.
    public static func parseSize(_ text: String) -> Int? {
        let unit: Int, digits: Substring
        switch text.last {
        case "K": (unit, digits) = (1 << 10, text.dropLast())
        case "M": (unit, digits) = (1 << 20, text.dropLast())
        default: (unit, digits) = (1, Substring(text))
        }
        guard let value = Int(digits), value > 0 else { return nil }
        return value * unit
    }
}
