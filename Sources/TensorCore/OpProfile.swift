import Foundation

/// Wall time per tape op, for finding what dominates a training step (`augbench bench train-step --profile`).
///
/// An op is named by the function that recorded it (`conv2d(_:weight:bias:stride:padding:)`, `+(_:_:)`).
/// Its backward time is the time of its pullback (ops a pullback runs count as that pullback's). Its forward
/// time is the time since the previous op was recorded on the profiling thread, so unrecorded work between
/// ops is charged to the next recorded op unless a `region` names it: forward figures are upper bounds.
/// Profiling is for one thread at a time; other threads' ops are not counted.
public final class OpProfile: @unchecked Sendable {
    public struct Entry: Sendable {
        public let op: String
        public var forwardSeconds = 0.0, backwardSeconds = 0.0
        public var forwardCalls = 0, backwardCalls = 0
        public var totalSeconds: Double { forwardSeconds + backwardSeconds }
    }

    /// The profile being collected, if any (read on every recorded op, so a plain static).
    nonisolated(unsafe) static var active: OpProfile?

    /// Wall time of one kind of kernel call (a convolution's direction, shape and algorithm) across the
    /// calls made while the profile ran, on any thread.
    public struct KernelEntry: Sendable {
        public let name: String
        public var seconds = 0.0, calls = 0
    }

    private var entries: [String: Entry] = [:]
    private var kernelEntries: [String: KernelEntry] = [:]
    private let kernelLock = NSLock()
    private var lastMark = DispatchTime.now().uptimeNanoseconds
    private let thread = Thread.current
    /// Ops run inside a pullback or a region belong to that pullback's or region's time.
    private var insideMeasurement = false

    /// Runs `body` with profiling on for this thread and returns its per-op times, longest first.
    public static func measure(_ body: () throws -> Void) rethrows -> [Entry] {
        try measureWithKernels(body).ops
    }

    /// `measure`, also returning the kernel calls `kernel` timed meanwhile, longest first.
    public static func measureWithKernels(_ body: () throws -> Void) rethrows -> (ops: [Entry], kernels: [KernelEntry]) {
        precondition(active == nil, "OpProfile.measure: a profile is already running")
        let profile = OpProfile()
        active = profile
        defer { active = nil }
        try body()
        return (profile.entries.values.sorted { $0.totalSeconds > $1.totalSeconds },
                profile.kernelEntries.values.sorted { $0.seconds > $1.seconds })
    }

    /// Runs `body`, adding its wall time to the kernel entry `name` when a profile is running (from any
    /// thread; `name` is only built then). Kernel times overlap the op times they are part of.
    @inline(__always)
    public static func kernel<Result>(_ name: @autoclosure () -> String, _ body: () throws -> Result) rethrows -> Result {
        guard let profile = active else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let (elapsed, _) = profile.seconds(since: start)
        let key = name()
        profile.kernelLock.lock()
        profile.kernelEntries[key, default: KernelEntry(name: key)].seconds += elapsed
        profile.kernelEntries[key]!.calls += 1
        profile.kernelLock.unlock()
        return result
    }

    /// Runs `body`, charging all of its time, ops included, to `name` when a profile is running (work no op
    /// records, such as the optimiser update, or a step worth seeing whole, such as DiffAugment's forward).
    /// The time before it since the last op goes to "(between ops)".
    public static func region<Result>(_ name: StaticString, _ body: () throws -> Result) rethrows -> Result {
        guard let profile = active, !profile.insideMeasurement, Thread.current == profile.thread else { return try body() }
        profile.recorded("(between ops)")
        profile.insideMeasurement = true
        defer {
            profile.insideMeasurement = false
            profile.recorded(name)
        }
        return try body()
    }

    /// Runs `body` (adding up a tensor's gradients in the backward pass), charging it to the backward time of
    /// "(gradient sums)".
    @inline(__always)
    static func accumulating<Result>(_ body: () -> Result) -> Result {
        guard let profile = active else { return body() }
        return profile.pulledBack("(gradient sums)", body)
    }

    private func seconds(since start: UInt64) -> (Double, UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        return (Double(now - start) / 1e9, now)
    }

    func recorded(_ op: StaticString) {
        guard !insideMeasurement, Thread.current == thread else { return }
        let (elapsed, now) = seconds(since: lastMark)
        entries[op.description, default: Entry(op: op.description)].forwardSeconds += elapsed
        entries[op.description]!.forwardCalls += 1
        lastMark = now
    }

    func pulledBack<Result>(_ op: StaticString, _ pullback: () -> Result) -> Result {
        guard !insideMeasurement, Thread.current == thread else { return pullback() }
        let start = DispatchTime.now().uptimeNanoseconds
        insideMeasurement = true
        let result = pullback()
        insideMeasurement = false
        let (elapsed, now) = seconds(since: start)
        entries[op.description, default: Entry(op: op.description)].backwardSeconds += elapsed
        entries[op.description]!.backwardCalls += 1
        lastMark = now
        return result
    }
}
