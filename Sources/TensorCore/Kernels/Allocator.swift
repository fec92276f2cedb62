/// Process-wide allocator settings for tensor workloads.
public enum Allocator {
    /// glibc serves blocks over 128 KiB (grown adaptively to 32 MiB) with mmap and returns them on free,
    /// so every large temporary (im2col columns, activations) costs fresh page faults and zeroing by the
    /// kernel. Raising the mmap and trim thresholds keeps freed blocks in the heap for reuse.
    public static func configureForTensors() {
        #if os(Linux)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD in <malloc.h>
        _ = glibcMallopt(mmapThreshold, 1 << 30)
        _ = glibcMallopt(trimThreshold, 1 << 30)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
